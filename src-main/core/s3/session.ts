import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { cancelledError, throwIfCancelled } from '../cancel';
import { KeydeskError } from '../errors';
import { BucketLocations, isRedirectStatus } from './bucket-locations';
import { createS3Client, describeS3Error, type S3Connection } from './client';
import { ObjectRequests } from './object-requests';
import type { Trust } from '../transport/trust';

/**
 * What every browser and transfer operation needs: a client, the lean path for object bytes (see
 * object-requests.ts), and the endpoint their errors are described against.
 */
export interface S3Session {
  /** The client for the credential's endpoint and region. */
  client: S3Client;
  /** The client for a bucket's own endpoint and region, once a redirect has shown they differ (bucket-locations.ts). */
  clientFor(bucket: string): S3Client;
  objects: ObjectRequests;
  endpoint: string;
  /** The endpoint's private CAs and pins, for the few requests that go neither through the SDK nor `objects`. */
  trust?: Trust;
}

/** `stallTimeoutMs`: how long the object path (bytes and listings) waits on a connection that moves no bytes (default `timeoutMs`). */
export function openSession(connection: S3Connection, options?: Parameters<typeof createS3Client>[1] & { stallTimeoutMs?: number }): S3Session {
  const locations = new BucketLocations({ endpoint: connection.endpoint, region: connection.region });
  const clients = new Map<string, S3Client>();
  const clientAt = (endpoint: string, region: string) => {
    const id = `${endpoint}\n${region}`;
    let client = clients.get(id);
    if (!client) {
      client = createS3Client({ ...connection, endpoint, region }, options);
      sendContentMd5ForDeleteObjects(client);
      learnRedirects(client, locations);
      clients.set(id, client);
    }
    return client;
  };
  const client = clientAt(connection.endpoint, connection.region);
  return {
    client,
    clientFor: (bucket) => {
      const location = locations.get(bucket);
      return clientAt(location.endpoint, location.region);
    },
    objects: new ObjectRequests(connection, options?.stallTimeoutMs ?? options?.timeoutMs ?? 60_000, locations),
    endpoint: connection.endpoint,
    trust: connection.trust,
  };
}

/**
 * A redirect the SDK meets is remembered for the bucket and raised as a transient error (retry.ts), so
 * the caller's next attempt, through clientFor(), goes to the bucket's own endpoint and region.
 */
function learnRedirects(client: S3Client, locations: BucketLocations): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const failure = error as { $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string> }; Endpoint?: string };
        const status = failure.$metadata?.httpStatusCode;
        const bucket = (args.input as { Bucket?: unknown }).Bucket;
        if (!isRedirectStatus(status) || typeof bucket !== 'string') throw error;
        const headers = failure.$response?.headers ?? {};
        const to = locations.learn(bucket, { status: status!, region: headers['x-amz-bucket-region'], location: headers.location, endpointHost: failure.Endpoint });
        throw new KeydeskError(
          {
            code: 'PROVIDER',
            provider: 'S3',
            status,
            providerCode: status === 301 ? 'PermanentRedirect' : 'TemporaryRedirect',
            message: `Bucket "${bucket}" is in region ${to.region} at ${to.endpoint}; ${context.commandName ?? 'the request'} must be sent there.`,
          },
          { cause: error },
        );
      }
    },
    { step: 'initialize', name: 'keydeskLearnRedirects' },
  );
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
