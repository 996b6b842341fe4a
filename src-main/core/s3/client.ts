import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { KeydeskError } from '../errors';
import { networkError } from '../providers/http';
import { sdkAgents } from '../transport/agents';
import type { TrustEntry } from '../transport/trust';
import { readEndpoint } from './endpoint-input';
import type { ChecksumMode } from '../vault/metadata-store';

export interface S3Connection {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  checksums: ChecksumMode;
  /** Private CAs and pinned certificates chosen for this endpoint (transport/trust.ts). */
  trust?: TrustEntry[];
}

export function createS3Client(connection: S3Connection, options: { maxAttempts?: number; timeoutMs?: number } = {}): S3Client {
  const checksum = connection.checksums === 'when-supported' ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED';
  return new S3Client({
    endpoint: connection.endpoint,
    region: connection.region,
    forcePathStyle: connection.forcePathStyle,
    credentials: { accessKeyId: connection.accessKeyId, secretAccessKey: connection.secretAccessKey },
    requestChecksumCalculation: checksum,
    responseChecksumValidation: checksum,
    maxAttempts: options.maxAttempts ?? 3,
    // The SDK's default sends "Expect: 100-continue" for bodies from 2 MiB, and its HTTP handler then uses
    // a fresh agent without keep-alive for that request: every upload part paid a new TCP connection plus
    // a round trip. A refused part now costs its body once; transfers retry it anyway.
    expectContinueHeader: false,
    // Connections through transport/connect.ts: the proxy, and this endpoint's trust, apply to the SDK too.
    requestHandler: { ...sdkAgents(connection.trust), connectionTimeout: 10_000, requestTimeout: options.timeoutMs ?? 60_000 },
  });
}

/**
 * Checks an endpoint string before any request, so a typo reads as a typo and not as a network error;
 * an endpoint typed without a scheme gets one (see endpoint-input.ts).
 */
export function parseEndpoint(endpoint: string): string {
  const reading = readEndpoint(endpoint);
  if (!reading.endpoint) throw new KeydeskError({ code: 'INVALID_INPUT', message: reading.problem ?? 'Enter the endpoint.' });
  return reading.endpoint;
}

const S3_MESSAGES: Record<string, (endpoint: string) => Omit<ConstructorParameters<typeof KeydeskError>[0], 'providerCode' | 'status'>> = {
  SignatureDoesNotMatch: () => ({
    code: 'SIGNATURE_MISMATCH',
    message: 'The secret access key is wrong: the server rejected the request signature (SignatureDoesNotMatch).',
    hint: 'Copy the secret again from your provider; check for missing characters or extra spaces.',
  }),
  InvalidAccessKeyId: (endpoint) => ({
    code: 'INVALID_ACCESS_KEY',
    message: `The access key ID is not known at ${hostOf(endpoint)} (InvalidAccessKeyId).`,
    hint: 'Check the key ID and that it belongs to this endpoint; it may have been deleted.',
  }),
  AccessDenied: () => ({ code: 'ACCESS_DENIED', message: 'The server denied access with this key (AccessDenied).' }),
  UserSuspended: () => ({
    code: 'ACCESS_DENIED',
    message: 'The user that owns this key is suspended (UserSuspended).',
    hint: 'An administrator must re-enable the user.',
  }),
  NoSuchBucket: () => ({ code: 'NOT_FOUND', message: 'The bucket does not exist (NoSuchBucket).' }),
  NoSuchKey: () => ({ code: 'NOT_FOUND', message: 'The object does not exist (NoSuchKey).' }),
  NotFound: () => ({ code: 'NOT_FOUND', message: 'Not found on the server.' }),
  BucketNotEmpty: () => ({ code: 'CONFLICT', message: 'The bucket is not empty (BucketNotEmpty).' }),
  BucketAlreadyExists: () => ({ code: 'CONFLICT', message: 'A bucket with that name already exists, maybe in another account (BucketAlreadyExists).' }),
  BucketAlreadyOwnedByYou: () => ({ code: 'CONFLICT', message: 'You already own a bucket with that name (BucketAlreadyOwnedByYou).' }),
  InvalidBucketName: () => ({ code: 'INVALID_INPUT', message: 'That bucket name is not allowed (InvalidBucketName): use 3–63 lowercase letters, digits, dots and hyphens.' }),
  RequestTimeTooSkewed: () => ({
    code: 'AUTH_FAILED',
    message: "This computer's clock differs too much from the server's (RequestTimeTooSkewed).",
    hint: 'Set the system clock to update automatically.',
  }),
  QuotaExceeded: () => ({ code: 'LIMIT_REACHED', message: 'The storage quota is exceeded (QuotaExceeded).' }),
  TooManyBuckets: () => ({ code: 'LIMIT_REACHED', message: 'The account has reached its bucket limit (TooManyBuckets).' }),
};

/**
 * Swift's S3 API answers SignatureDoesNotMatch for a wrong secret, an unknown key and a key revoked in
 * Keystone alike, so the sentence cannot blame the secret alone.
 */
const SWIFT_SIGNATURE_MISMATCH: (typeof S3_MESSAGES)[string] = () => ({
  code: 'SIGNATURE_MISMATCH',
  message:
    "OpenStack Swift refused this key pair (SignatureDoesNotMatch): the access key ID is not known or was revoked, or the secret access key is wrong. Swift's S3 API does not say which.",
  hint: 'Check both halves of the key pair; for an OpenStack EC2 credential, check that it still exists (openstack ec2 credentials list).',
});

/** Whether an error came from Swift: its answers carry X-Trans-Id / X-Openstack-Request-Id. */
function answeredBySwift(error: S3ServiceException): boolean {
  const headers = (error as { $response?: { headers?: Record<string, string> } }).$response?.headers ?? {};
  return Boolean(headers['x-trans-id'] || headers['x-openstack-request-id']);
}

/** Maps anything the S3 SDK throws to a KeydeskError that names the cause. */
export function describeS3Error(error: unknown, endpoint: string): KeydeskError {
  if (error instanceof KeydeskError) return error;
  const name = (error as { name?: string })?.name ?? '';
  if (name === 'AbortError') return new KeydeskError({ code: 'CANCELLED', message: 'Cancelled.' });
  if (error instanceof S3ServiceException) {
    const status = error.$metadata?.httpStatusCode;
    const known = (error.name === 'SignatureDoesNotMatch' && answeredBySwift(error) ? SWIFT_SIGNATURE_MISMATCH : undefined) ?? S3_MESSAGES[error.name];
    if (known) return new KeydeskError({ ...known(endpoint), provider: 'S3', providerCode: error.name, status }, { cause: error });
    const detail = error.message && error.message !== 'UnknownError' && error.message !== error.name ? `: ${error.message}` : '';
    // An answer without an S3 error document (a HEAD, a proxy or load balancer in front): its status says it.
    const unnamed = /^(Unknown(Error)?|\d+)$/.test(error.name);
    if (status !== undefined && status >= 500 && (unnamed || !detail)) {
      const what = status === 503 ? 'is overloaded or unavailable' : 'failed with an internal error';
      return new KeydeskError(
        { code: 'PROVIDER', provider: 'S3', providerCode: error.name, status, message: `The S3 server ${what} (HTTP ${status}${unnamed ? '' : ` ${error.name}`}).` },
        { cause: error },
      );
    }
    return new KeydeskError(
      {
        code: status === 403 ? 'ACCESS_DENIED' : status === 404 ? 'NOT_FOUND' : 'PROVIDER',
        provider: 'S3',
        providerCode: error.name,
        status,
        message: `The S3 server ${status !== undefined && status >= 500 ? 'could not handle' : 'refused'} the request (${error.name}, HTTP ${status ?? '?'})${detail}`,
      },
      { cause: error },
    );
  }
  const code = (error as { code?: string })?.code;
  // Ours (http1.ts) carries the time; the SDK's socket timer says it in its message.
  const inactivity = /after (\d+) ms of inactivity/.exec(name === 'TimeoutError' ? ((error as Error).message ?? '') : '');
  const stalledMs = (error as { timeoutMs?: number })?.timeoutMs ?? (inactivity ? Number(inactivity[1]) : undefined);
  if (stalledMs !== undefined) {
    return new KeydeskError(
      { code: 'TIMEOUT', provider: 'S3', message: `The S3 endpoint (${hostOf(endpoint)}) stopped sending or taking data for ${Math.round(stalledMs / 1000)} s, so the request was given up.`, hint: 'The server or the network stalled; check the connection or proxy, then try again.' },
      { cause: error },
    );
  }
  if (name === 'TimeoutError' || code === 'ETIMEDOUT' || name === 'RequestTimeout') {
    return networkError('the S3 endpoint', endpoint, error, true, 60_000);
  }
  return networkError('the S3 endpoint', endpoint, error, false, 0);
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}
