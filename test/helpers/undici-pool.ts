import { Pool, errors } from 'undici';
import { openSocket } from '../../src-main/core/transport/connect';
import type { BodyConsumer, Http1Options, Http1Request, Http1Response } from '../../src-main/core/s3/http1';
import type { ObjectHttpPool } from '../../src-main/core/s3/object-requests';

/*
 * The object path's HTTP client contract (ObjectHttpPool) implemented with undici's Pool, the candidate
 * that would replace http1.ts. The bench runs Keydesk with it row for row (keydesk-runner.ts, `undici`),
 * and the conformance suite runs the same cases against both, so the choice between them stays checked.
 * Same behaviour as Http1Pool where the contract says so: a 2xx body goes to the consumer with up to 8
 * chunks being written at once, other bodies are kept (up to 1 MiB), a request that failed on a reused
 * connection before any answer is sent once more, and failures carry the same codes.
 */

const MAX_PENDING_CHUNKS = 8;
const MAX_COLLECTED_BYTES = 1024 * 1024;
const IDLE_MS = 4_000;

export class UndiciPool implements ObjectHttpPool {
  private readonly pool: Pool;

  constructor(origin: string, options: Http1Options) {
    this.pool = new Pool(origin, {
      keepAliveTimeout: IDLE_MS,
      keepAliveMaxTimeout: IDLE_MS,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      // Connections from the transport, as http1.ts gets them: proxies and the endpoint's own trust.
      connect: (connectOptions, callback) => {
        const https = connectOptions.protocol === 'https:';
        openSocket(
          { protocol: connectOptions.protocol, hostname: connectOptions.hostname, port: Number(connectOptions.port || (https ? 443 : 80)) },
          { trust: options.trust, timeoutMs: options.connectTimeoutMs ?? 10_000, alpn: https ? ['http/1.1'] : undefined },
        ).then(
          ({ socket }) => callback(null, socket),
          (error: Error) => callback(error, null),
        );
      },
    });
  }

  async request(request: Http1Request, consume?: BodyConsumer): Promise<Http1Response> {
    for (let attempt = 0; ; attempt++) {
      let answered = false;
      try {
        const response = await this.pool.request({ method: request.method, path: request.target, headers: request.headers, body: request.body, signal: request.signal });
        answered = true;
        const answer = new Map<string, string>();
        for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) answer.set(name, Array.isArray(value) ? value.join(', ') : value);
        const streaming = consume !== undefined && response.statusCode >= 200 && response.statusCode < 300;
        const body = streaming ? await deliver(response.body, consume) : await collect(response.body);
        return { status: response.statusCode, headers: answer, body };
      } catch (error) {
        const mapped = mapError(error);
        // undici sends a request on an idle socket the server may just have closed, like Http1Pool does.
        if (answered || attempt > 0 || mapped.code !== 'ECONNRESET' || request.signal?.aborted) throw mapped;
      }
    }
  }

  close(): void {
    void this.pool.close();
  }
}

async function deliver(body: AsyncIterable<Buffer>, consume: BodyConsumer): Promise<Buffer> {
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  for await (const chunk of body) {
    if (failure) throw failure;
    const result = consume(chunk);
    if (!result) continue;
    const tracked: Promise<void> = result.then(
      () => void pending.delete(tracked),
      (error: unknown) => {
        failure = error;
        pending.delete(tracked);
      },
    );
    pending.add(tracked);
    if (pending.size >= MAX_PENDING_CHUNKS) await Promise.race(pending);
  }
  await Promise.all(pending);
  if (failure) throw failure;
  return Buffer.alloc(0);
}

async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < MAX_COLLECTED_BYTES) chunks.push(chunk.subarray(0, MAX_COLLECTED_BYTES - size));
    size += chunk.length;
  }
  return Buffer.concat(chunks);
}

/** undici's error codes as the ones Http1Pool raises, which describeS3Error and the retry rules know. */
function mapError(error: unknown): Error & { code?: string } {
  if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError || error instanceof errors.ConnectTimeoutError) {
    return Object.assign(new Error('The server stopped answering (timeout).', { cause: error }), { name: 'TimeoutError', code: 'ETIMEDOUT' });
  }
  if (error instanceof errors.SocketError || (error as { code?: string }).code === 'ECONNRESET' || (error as { code?: string }).code === 'EPIPE') {
    return Object.assign(new Error('The server closed the connection.', { cause: error }), { code: 'ECONNRESET' });
  }
  if (error instanceof errors.HTTPParserError || error instanceof errors.HeadersOverflowError) {
    return Object.assign(new Error(`The server's answer is not valid HTTP/1.1 (${(error as Error).message}).`, { cause: error }), { code: 'EPROTO' });
  }
  return error as Error;
}
