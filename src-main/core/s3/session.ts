import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { cancelledError, throwIfCancelled } from '../cancel';
import { createS3Client, describeS3Error, type S3Connection } from './client';
import { ObjectRequests } from './object-requests';
import type { Trust } from '../transport/trust';

/**
 * What every browser and transfer operation needs: a client, the lean path for object bytes (see
 * object-requests.ts), and the endpoint their errors are described against.
 */
export interface S3Session {
  client: S3Client;
  objects: ObjectRequests;
  endpoint: string;
  /** The endpoint's private CAs and pins, for the few requests that go neither through the SDK nor `objects`. */
  trust?: Trust;
}

export function openSession(connection: S3Connection, options?: Parameters<typeof createS3Client>[1]): S3Session {
  const client = createS3Client(connection, options);
  sendContentMd5ForDeleteObjects(client);
  return { client, objects: new ObjectRequests(connection, options?.timeoutMs ?? 60_000), endpoint: connection.endpoint, trust: connection.trust };
}

/**
 * Swift's S3 API refuses DeleteObjects without Content-MD5 (400 InvalidRequest), which the SDK no longer
 * sends (it sends a CRC32 instead, or nothing). Every S3 server accepts it, so it is always sent.
 */
function sendContentMd5ForDeleteObjects(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      if (context.commandName === 'DeleteObjectsCommand' && request.headers && !request.headers['content-md5'] && (typeof request.body === 'string' || request.body instanceof Uint8Array)) {
        request.headers['content-md5'] = createHash('md5').update(request.body).digest('base64');
      }
      return next(args);
    },
    { step: 'build', name: 'keydeskContentMd5ForDeleteObjects' },
  );
}

// Re-exported: they lived here first, and callers outside the core import them from this module.
export { cancelledError, throwIfCancelled };

/**
 * Runs one S3 request so that every failure leaves as a KeydeskError: a cancel reads as CANCELLED (not
 * as whatever half-finished socket error the abort caused), anything else is described by the client.
 */
export async function s3Call<T>(
  session: S3Session,
  signal: AbortSignal | undefined,
  request: (options: { abortSignal?: AbortSignal }) => Promise<T>,
): Promise<T> {
  throwIfCancelled(signal);
  try {
    return await request({ abortSignal: signal });
  } catch (error) {
    if (signal?.aborted) throw cancelledError();
    throw describeS3Error(error, session.endpoint);
  }
}

/** Progress of a batch operation (delete, empty, move); `total` is counted before the work starts (0: not known). */
export interface BatchProgress {
  done: number;
  total: number;
  /** Bytes counted so far, for work that adds up sizes. */
  bytes?: number;
}

export interface BatchOptions {
  signal?: AbortSignal;
  onProgress?: (progress: BatchProgress) => void;
}
