import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { cancelledError } from '../cancel';
import { toErrorInfo, type ErrorInfo } from '../errors';
import { createS3Client, describeS3Error, type S3Connection } from '../s3/client';

/** What a working key sees: the same answer "Test connection" shows. */
export interface ConnectionCheck {
  bucketCount: number;
  owner?: string;
}

export interface CheckOptions {
  signal?: AbortSignal;
  /** Per request; the connection itself gives up after 5 s. */
  timeoutMs?: number;
}

/** One authenticated ListBuckets, no retries: the cheapest call every S3 service answers. Throws a described error. */
export async function listBucketsWith(connection: S3Connection, options: CheckOptions = {}): Promise<ConnectionCheck> {
  const client = createS3Client(connection, { maxAttempts: 1, timeoutMs: options.timeoutMs ?? 15_000 });
  try {
    const result = await client.send(new ListBucketsCommand({}), { abortSignal: options.signal });
    return { bucketCount: result.Buckets?.length ?? 0, owner: result.Owner?.DisplayName ?? result.Owner?.ID };
  } catch (error) {
    if (options.signal?.aborted) throw cancelledError();
    throw describeS3Error(error, connection.endpoint);
  } finally {
    client.destroy();
  }
}

export type KeyCheck =
  | { works: true; bucketCount?: number; owner?: string; /** Signed in, but not allowed to list buckets. */ limited?: boolean }
  | { works: false; reason: string; error: ErrorInfo };

/**
 * Whether a key works, as an answer rather than a throw (only cancelling throws). AccessDenied on
 * ListBuckets means the server accepted the signature of a known key that may not list buckets, as
 * bucket-scoped keys and narrow IAM policies do: that key works.
 */
export async function checkKey(connection: S3Connection, options: CheckOptions = {}): Promise<KeyCheck> {
  try {
    return { works: true, ...(await listBucketsWith(connection, options)) };
  } catch (error) {
    const info = toErrorInfo(error);
    if (info.code === 'CANCELLED') throw error;
    if (info.providerCode === 'AccessDenied') return { works: true, limited: true };
    return { works: false, reason: failureReason(info), error: info };
  }
}

/** The few words a table cell shows for a failed check; the full message goes beside it. */
export function failureReason(error: ErrorInfo): string {
  switch (error.code) {
    case 'INVALID_ACCESS_KEY':
      return 'revoked or unknown key';
    case 'SIGNATURE_MISMATCH':
      return 'wrong secret';
    case 'NETWORK':
      return /TLS certificate/.test(error.message) ? 'untrusted TLS certificate' : 'endpoint unreachable';
    case 'TIMEOUT':
      return 'endpoint did not answer';
    case 'AUTH_FAILED':
      return error.providerCode === 'RequestTimeTooSkewed' ? 'clock out of sync' : 'authentication failed';
    case 'ACCESS_DENIED':
      return error.providerCode === 'UserSuspended' ? 'user suspended' : 'access denied';
    case 'NOT_FOUND':
      return 'secret missing from the keychain';
    case 'INVALID_INPUT':
      return 'invalid endpoint or key';
    default:
      return error.providerCode ? `refused (${error.providerCode})` : 'check failed';
  }
}
