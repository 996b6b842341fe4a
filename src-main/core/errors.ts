import type { CertificateProblem } from './transport/certificates';

/**
 * One error type crosses every boundary (adapters → services → IPC → renderer). `message` is a sentence a
 * person can act on; provider code and HTTP status are kept so support can match them to provider docs.
 */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'KEYCHAIN_UNAVAILABLE'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'AUTH_EXPIRED'
  | 'AUTH_FAILED'
  | 'SIGNATURE_MISMATCH'
  | 'INVALID_ACCESS_KEY'
  | 'ACCESS_DENIED'
  | 'NOT_FOUND'
  | 'LIMIT_REACHED'
  | 'CONFLICT'
  | 'UNSUPPORTED'
  | 'PROVIDER'
  | 'CANCELLED'
  | 'INTERNAL'
  /** The server's TLS certificate is not trusted (or no longer matches a pin): `certificate` says why. */
  | 'UNTRUSTED_CERTIFICATE'
  /** The proxy refused the connection or asked for credentials; not the server's doing. */
  | 'PROXY';

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  provider?: string;
  providerCode?: string;
  status?: number;
  /** What the user can do about it, when there is something specific. */
  hint?: string;
  /** The saved credential the error is about (a key saved already), so the UI can offer "Show it". */
  existing?: { id: string; label: string };
  /** UNTRUSTED_CERTIFICATE: the certificate the server presented and what is wrong with it. */
  certificate?: CertificateProblem;
}

export class KeydeskError extends Error implements ErrorInfo {
  readonly code: ErrorCode;
  readonly provider?: string;
  readonly providerCode?: string;
  readonly status?: number;
  readonly hint?: string;
  readonly existing?: ErrorInfo['existing'];
  readonly certificate?: CertificateProblem;

  constructor(info: ErrorInfo, options?: { cause?: unknown }) {
    super(info.message, options);
    this.name = 'KeydeskError';
    this.code = info.code;
    this.provider = info.provider;
    this.providerCode = info.providerCode;
    this.status = info.status;
    this.hint = info.hint;
    this.existing = info.existing;
    this.certificate = info.certificate;
  }

  toJSON(): ErrorInfo {
    return {
      code: this.code,
      message: this.message,
      provider: this.provider,
      providerCode: this.providerCode,
      status: this.status,
      hint: this.hint,
      existing: this.existing,
      certificate: this.certificate,
    };
  }
}

export function isKeydeskError(value: unknown): value is KeydeskError {
  return value instanceof KeydeskError;
}

/** Anything thrown becomes an ErrorInfo safe to send to the renderer: unknown errors lose their details. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof KeydeskError) return error.toJSON();
  return { code: 'INTERNAL', message: 'Something went wrong inside Keydesk. Try again; if it persists, restart the app.' };
}
