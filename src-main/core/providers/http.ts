import { KeydeskError } from '../errors';
import { requestText, type TextResponse } from '../transport/request';
import type { Trust } from '../transport/trust';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Serialised as JSON unless it is already a string. */
  body?: unknown;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The account's private CAs and pinned certificates: required, so no provider call forgets them. */
  trust: Trust;
}

export interface HttpResponse {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
  json<T = unknown>(): T;
}

/** Turns a non-2xx response into the provider's own typed error; each adapter supplies one. */
export type ErrorMapper = (response: HttpResponse) => KeydeskError;

const DEFAULT_TIMEOUT_MS = 20_000;

/**
 * Every management API call goes through here so that network failures and timeouts read the same for
 * every provider, and provider error bodies are mapped by the adapter that understands them.
 */
export async function httpRequest(provider: string, request: HttpRequest, mapError: ErrorMapper): Promise<HttpResponse> {
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  let body: string | undefined;
  if (request.body !== undefined) {
    body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
    headers['content-type'] ??= 'application/json';
  }
  let raw: TextResponse;
  try {
    // The proxy and the account's trust apply through the transport's agents (transport/request.ts).
    raw = await requestText(request.url, { method: request.method, headers, body, signal, trust: request.trust });
  } catch (error) {
    throw networkError(provider, request.url, error, timeout.aborted, timeoutMs, request.signal?.aborted);
  }
  const text = raw.text;
  const response: HttpResponse = {
    status: raw.status,
    headers: raw.headers,
    text,
    json<T>() {
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new KeydeskError({
          code: 'PROVIDER',
          provider,
          status: raw.status,
          message: `${provider} answered with something that is not JSON (HTTP ${raw.status}). Check the API URL.`,
        });
      }
    },
  };
  if (raw.status >= 400) throw mapError(response);
  return response;
}

export function networkError(
  provider: string,
  url: string,
  error: unknown,
  timedOut: boolean,
  timeoutMs: number,
  cancelled = false,
): KeydeskError {
  const host = safeHost(url);
  if (cancelled) return new KeydeskError({ code: 'CANCELLED', provider, message: 'Cancelled.' });
  // Untrusted certificates and proxy refusals are described where they happen (transport/).
  if (error instanceof KeydeskError) return error;
  if (timedOut) {
    return new KeydeskError({
      code: 'TIMEOUT',
      provider,
      message: `${provider} did not answer within ${Math.round(timeoutMs / 1000)} s (${host}).`,
      hint: 'The service may be slow or unreachable from this network; try again later.',
    });
  }
  const cause = (error as { cause?: { code?: string } })?.cause?.code ?? (error as { code?: string })?.code;
  const reason =
    cause === 'ENOTFOUND' || cause === 'EAI_AGAIN'
      ? `the host name ${host} could not be resolved`
      : cause === 'ECONNREFUSED'
        ? `nothing is listening at ${host} (connection refused)`
        : cause === 'ECONNRESET'
          ? `the connection to ${host} was reset`
          : cause?.startsWith?.('CERT_') || cause === 'DEPTH_ZERO_SELF_SIGNED_CERT' || cause === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
            ? `the TLS certificate of ${host} is not trusted (${cause})`
            : `${host} could not be reached${cause ? ` (${cause})` : ''}`;
  return new KeydeskError(
    { code: 'NETWORK', provider, message: `Cannot reach ${provider}: ${reason}.`, hint: 'Check the URL and your network connection.' },
    { cause: error },
  );
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export interface TokenSession<Token> {
  /** The token to try first, or undefined to sign in straight away. */
  cached(): Token | undefined;
  signIn(): Promise<Token>;
  forget(): void;
}

/**
 * Calls with a cached sign-in token; when the provider answers 401 (token expired or revoked) signs in
 * again, once. If that sign-in is refused too, the stored credentials no longer work: AUTH_EXPIRED.
 */
export async function withSignIn<Token, T>(
  provider: string,
  session: TokenSession<Token>,
  send: (token: Token) => Promise<T>,
  expiredHint: string,
): Promise<T> {
  const cached = session.cached();
  if (cached === undefined) return send(await session.signIn());
  try {
    return await send(cached);
  } catch (error) {
    if (!(error instanceof KeydeskError && error.status === 401)) throw error;
  }
  session.forget();
  let fresh: Token;
  try {
    fresh = await session.signIn();
  } catch (error) {
    if (error instanceof KeydeskError && error.status === 401) {
      throw new KeydeskError(
        {
          code: 'AUTH_EXPIRED',
          provider,
          providerCode: error.providerCode,
          status: 401,
          message: `The ${provider} sign-in expired and signing in again failed: ${error.message}`,
          hint: expiredHint,
        },
        { cause: error },
      );
    }
    throw error;
  }
  return send(fresh);
}
