import type net from 'node:net';
import { abortError } from '../cancel';
import { openSocket } from '../transport/connect';
import type { Trust } from '../transport/trust';

/*
 * A small HTTP/1.1 client for the transfer engine's object data requests (PUT of a part buffer, GET of a
 * range). node:http allocates a fresh 64 KiB Buffer for every socket read: a 1 GiB download made 16,000
 * of them, and the garbage collector alone took a second of main-thread CPU, on a machine whose other
 * core serves the bytes (measured with `npm run bench`). Here every connection reads into one buffer of
 * its own (the socket's `onread` option, plain TCP and TLS alike), bodies are copied into staging buffers
 * that are recycled once their consumer has written them, and a request is written with one cork/uncork.
 * Everything else (listing, multipart bookkeeping, metadata) stays with the AWS SDK. Connections come from
 * transport/connect.ts: through a proxy when one applies, TLS verified with the endpoint's own trust.
 */

export interface Http1Request {
  method: 'GET' | 'PUT';
  /** Path and query, already percent-encoded. */
  target: string;
  /** Sent as given, after Host. */
  headers: Record<string, string>;
  body?: Uint8Array;
  signal?: AbortSignal;
  /** Told as each slice of the body leaves for the kernel (negative when a stale connection's bytes are taken back). */
  onSent?: (bytes: number) => void;
  /** Paces the body slice by slice (a bandwidth limit): resolves when the next bytes may be written. */
  pace?: BodyPacer;
}

export interface BodyPacer {
  /** Undefined when the bytes may go at once. */
  take(bytes: number, signal?: AbortSignal): Promise<void> | undefined;
}

export interface Http1Response {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Map<string, string>;
  /** The body when it was not streamed to a consumer (non-2xx responses, or no consumer given). */
  body: Buffer;
}

/**
 * Takes a 2xx response body chunk by chunk. The chunk is only valid until the returned promise settles
 * (its buffer is then reused); a thrown error or rejection aborts the request. When the connection fails
 * mid-body, every byte that arrived has been handed over before the request fails (a resume starts there).
 */
export type BodyConsumer = (chunk: Buffer) => void | Promise<void>;

export interface Http1Options {
  /** No byte sent or received for this long fails the request. */
  timeoutMs: number;
  /** Connection setup, proxy and TLS included. */
  connectTimeoutMs?: number;
  /** The endpoint's private CAs and pinned certificates (transport/trust.ts); certificates are always verified. */
  trust?: Trust;
}

const READ_BUFFER = 256 * 1024;
/** A body watched or paced (onSent, pace) is written in slices of this size. */
const BODY_SLICE = 64 * 1024;
const STAGE_BUFFER = 256 * 1024;
/** Staging buffers a response may have waiting on its consumer before the socket is paused. */
const MAX_PENDING_STAGES = 8;
/** Free staging buffers kept for reuse across requests. */
const MAX_FREE_STAGES = 64;
const MAX_HEAD_BYTES = 64 * 1024;
/** Bodies kept in memory (errors, PUT answers) are small; a larger one is cut off here. */
const MAX_COLLECTED_BYTES = 1024 * 1024;
/** Servers close idle keep-alive connections after a few seconds; ours are dropped before that. */
const IDLE_MS = 4_000;

export class Http1Error extends Error {
  constructor(
    message: string,
    readonly code: 'ECONNRESET' | 'EPROTO' | 'ETIMEDOUT',
    override readonly name: string = 'Http1Error',
  ) {
    super(message);
  }
}

/** Keep-alive connections to one origin (http: or https:). */
export class Http1Pool {
  private readonly url: URL;
  private readonly idle: Connection[] = [];
  private readonly freeStages: Buffer[] = [];
  private closed = false;

  constructor(
    origin: string,
    private readonly options: Http1Options,
  ) {
    this.url = new URL(origin);
  }

  get host(): string {
    return this.url.host;
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  /**
   * Sends one request and resolves once the response is complete and, for a streamed body, consumed.
   * A request that fails on a reused connection before any answer arrived (the server closed it while
   * it was idle) is sent once more on a new one; both methods used here are idempotent.
   */
  async request(request: Http1Request, consume?: BodyConsumer): Promise<Http1Response> {
    let sent = 0;
    const onSent = request.onSent;
    const counted = onSent ? { ...request, onSent: (bytes: number) => ((sent += bytes), onSent(bytes)) } : request;
    for (let fresh = false; ; fresh = true) {
      const connection = fresh ? await this.connect(request.signal) : (this.takeIdle() ?? (await this.connect(request.signal)));
      const reused = connection.used;
      try {
        return await connection.exchange(counted, consume);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const stale = reused && !fresh && !connection.answered && (code === 'ECONNRESET' || code === 'EPIPE');
        if (!stale || request.signal?.aborted) throw error;
        // Sent again from the first byte.
        onSent?.(-sent);
        sent = 0;
      }
    }
  }

  /** Closes idle connections; requests in flight finish on theirs. */
  close(): void {
    this.closed = true;
    for (const connection of this.idle.splice(0)) connection.destroy();
  }

  takeStage(): Buffer {
    return this.freeStages.pop() ?? Buffer.allocUnsafeSlow(STAGE_BUFFER);
  }

  returnStage(buffer: Buffer): void {
    if (this.freeStages.length < MAX_FREE_STAGES) this.freeStages.push(buffer);
  }

  release(connection: Connection): void {
    if (this.closed) return connection.destroy();
    this.idle.push(connection);
  }

  forget(connection: Connection): void {
    const index = this.idle.indexOf(connection);
    if (index >= 0) this.idle.splice(index, 1);
  }

  private takeIdle(): Connection | undefined {
    // Most recently used first: the one least likely to have been closed by the server.
    return this.idle.pop();
  }

  private connect(signal: AbortSignal | undefined): Promise<Connection> {
    return Connection.open(this, this.url, this.options, signal);
  }
}

type BodyMode = { kind: 'length'; remaining: number } | { kind: 'chunked' } | { kind: 'close' } | { kind: 'none' };

class Connection {
  private socket: net.Socket | undefined;
  private readonly readBuffer = Buffer.allocUnsafeSlow(READ_BUFFER);
  private current: Exchange | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private failure: Error | undefined;
  /** Has carried a request before the current one. */
  used = false;
  /** The current request got any answer byte. */
  answered = false;

  private constructor(private readonly pool: Http1Pool) {}

  static async open(pool: Http1Pool, url: URL, options: Http1Options, signal: AbortSignal | undefined): Promise<Connection> {
    const connection = new Connection(pool);
    const https = url.protocol === 'https:';
    const { socket, readsIntoBuffer } = await openSocket(
      { protocol: url.protocol, hostname: url.hostname, port: Number(url.port || (https ? 443 : 80)) },
      {
        trust: options.trust,
        timeoutMs: options.connectTimeoutMs ?? 10_000,
        signal,
        onread: { buffer: connection.readBuffer, callback: (bytes: number) => connection.onRead(bytes) },
        alpn: https ? ['http/1.1'] : undefined,
      },
    );
    connection.attach(socket, readsIntoBuffer, options.timeoutMs);
    return connection;
  }

  private attach(socket: net.Socket, readsIntoBuffer: boolean, timeoutMs: number): void {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(timeoutMs);
    // Through a tunnel TLS cannot read into our buffer: the same parsing, from Node's chunks.
    if (!readsIntoBuffer) socket.on('data', (chunk: Buffer) => this.onChunk(chunk) || socket.pause());
    // A no-bytes timer, not a total one: a slow transfer that keeps moving never times out, a stalled one does.
    socket.on('timeout', () => this.fail(Object.assign(new Http1Error(`The server sent nothing for ${Math.round(timeoutMs / 1000)} s.`, 'ETIMEDOUT', 'TimeoutError'), { timeoutMs })));
    socket.on('error', (error) => this.fail(error));
    socket.on('end', () => this.onEnd());
    socket.on('close', () => this.fail(new Http1Error('The server closed the connection.', 'ECONNRESET')));
    if (this.failure) socket.destroy();
  }

  exchange(request: Http1Request, consume: BodyConsumer | undefined): Promise<Http1Response> {
    clearTimeout(this.idleTimer);
    this.pool.forget(this);
    this.socket?.ref();
    const reused = this.used;
    this.used = true;
    this.answered = false;
    if (this.failure) return Promise.reject(reused ? new Http1Error(this.failure.message, 'ECONNRESET') : this.failure);
    return new Promise<Http1Response>((resolve, reject) => {
      const exchange = new Exchange(this.pool, consume, (result) => {
        this.current = undefined;
        request.signal?.removeEventListener('abort', abort);
        if ('error' in result) {
          this.destroy();
          return reject(result.error);
        }
        if (result.reusable && !this.failure) this.park();
        else this.destroy();
        resolve(result.response);
      });
      const abort = () => exchange.fail(abortError());
      this.current = exchange;
      if (request.signal?.aborted) return abort();
      request.signal?.addEventListener('abort', abort, { once: true });
      this.write(request, exchange);
    });
  }

  destroy(): void {
    clearTimeout(this.idleTimer);
    this.pool.forget(this);
    this.socket?.destroy();
  }

  private write(request: Http1Request, exchange: Exchange): void {
    const socket = this.socket!;
    let head = `${request.method} ${request.target} HTTP/1.1\r\nHost: ${this.pool.host}\r\n`;
    for (const [name, value] of Object.entries(request.headers)) head += `${name}: ${value}\r\n`;
    head += `Content-Length: ${request.body?.byteLength ?? 0}\r\n\r\n`;
    socket.cork();
    socket.write(head, 'latin1');
    const body = request.body ?? Buffer.alloc(0);
    if ((request.onSent || request.pace) && body.byteLength > 0) {
      socket.uncork();
      void this.writeSlices(socket, body, request, exchange);
      return;
    }
    // The callback runs once the body has left for the kernel: until then the caller's buffer is in use.
    socket.write(body, () => exchange.sent());
    socket.uncork();
  }

  /**
   * The body in slices, each reported when it has left for the kernel (progress that moves with the bytes,
   * not per part) and, with a pacer, written only once the pacer allows. One callback serves every slice:
   * the socket calls them in order.
   */
  private async writeSlices(socket: net.Socket, body: Uint8Array, request: Http1Request, exchange: Exchange): Promise<void> {
    const total = body.byteLength;
    let acknowledged = 0;
    const onWritten = () => {
      const bytes = Math.min(BODY_SLICE, total - acknowledged);
      acknowledged += bytes;
      request.onSent?.(bytes);
      if (acknowledged === total) exchange.sent();
    };
    for (let offset = 0; offset < total && !exchange.isSettled(); offset += BODY_SLICE) {
      const wait = request.pace?.take(Math.min(BODY_SLICE, total - offset), request.signal);
      if (wait) {
        // Holding bytes back for the limit is not the server going quiet.
        socket.setTimeout(0);
        try {
          await wait;
        } catch (error) {
          return exchange.fail(error as Error);
        }
        if (exchange.isSettled() || socket.destroyed) return;
        socket.setTimeout(this.pool.timeoutMs);
      }
      socket.write(body.subarray(offset, offset + BODY_SLICE), onWritten);
    }
  }

  private park(): void {
    this.socket?.unref();
    this.idleTimer = setTimeout(() => this.destroy(), IDLE_MS);
    this.idleTimer.unref();
    this.pool.release(this);
  }

  private onRead(bytes: number): boolean {
    return this.onChunk(this.readBuffer.subarray(0, bytes));
  }

  private onChunk(data: Buffer): boolean {
    if (!this.current || !this.socket) {
      // Bytes nobody asked for: the connection is out of step.
      this.failure ??= new Http1Error('The server sent data nobody asked for.', 'ECONNRESET');
      this.destroy();
      return false;
    }
    this.answered = true;
    return this.current.feed(data, this.socket);
  }

  private onEnd(): void {
    if (this.current) this.current.end();
    else this.destroy();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.current?.socketFailed(error);
    this.destroy();
  }
}

type ExchangeResult = { response: Http1Response; reusable: boolean } | { error: Error };

/** One request's response: head parsing, body framing, and delivery to the consumer. */
class Exchange {
  private head: Buffer[] = [];
  private headBytes = 0;
  private status = 0;
  private headers = new Map<string, string>();
  private keepAlive = true;
  private mode: BodyMode = { kind: 'none' };
  private chunk = { state: 'size' as 'size' | 'data' | 'data-end' | 'trailer', remaining: 0, line: '' };
  private collected: Buffer[] = [];
  private collectedBytes = 0;
  private stage: Buffer | undefined;
  private stageFill = 0;
  private pending = 0;
  private bodyDone = false;
  private requestSent = false;
  private settled = false;
  private paused: net.Socket | undefined;

  constructor(
    private readonly pool: Http1Pool,
    private readonly consume: BodyConsumer | undefined,
    private readonly done: (result: ExchangeResult) => void,
  ) {}

  /** Only a 2xx body goes to the consumer; any other is kept for the caller. */
  private streaming(): boolean {
    return this.consume !== undefined && this.status >= 200 && this.status < 300;
  }

  sent(): void {
    this.requestSent = true;
    this.maybeFinish();
  }

  isSettled(): boolean {
    return this.settled;
  }

  /** Returns false to pause the socket until the consumer catches up. */
  feed(data: Buffer, socket: net.Socket): boolean {
    if (this.settled) return false;
    try {
      let rest: Buffer | undefined = data;
      while (rest && rest.length > 0 && !this.settled) {
        rest = this.status === 0 ? this.readHead(rest) : this.readBody(rest);
      }
    } catch (error) {
      this.fail(error as Error);
      return false;
    }
    if (this.pending >= MAX_PENDING_STAGES) {
      // Waiting on our consumer (a slow disk, a bandwidth limit) is not the server going quiet.
      this.paused = socket;
      socket.setTimeout(0);
      return false;
    }
    return true;
  }

  end(): void {
    if (this.mode.kind === 'close' && this.status !== 0) {
      this.keepAlive = false;
      this.finishBody();
    } else {
      this.fail(new Http1Error('The server closed the connection before the response was complete.', 'ECONNRESET'), true);
    }
  }

  /** A socket that closes once the whole body is in only matters to a consumer still writing: it is not the request's failure. */
  socketFailed(error: Error): void {
    if (!this.bodyDone) this.fail(error, true);
  }

  /**
   * `keepReceived`: the connection failed, not the data; body bytes that arrived still go to the consumer
   * (before the failure is reported), so a caller that resumes asks only for what it did not get.
   */
  fail(error: Error, keepReceived = false): void {
    if (this.settled) return;
    if (keepReceived && this.streaming()) this.flushStage();
    this.settled = true;
    if (this.stage) this.pool.returnStage(this.stage);
    this.stage = undefined;
    this.done({ error });
  }

  /** Returns what follows the head in `data`, or undefined while the head is incomplete. */
  private readHead(data: Buffer): Buffer | undefined {
    this.head.push(Buffer.from(data));
    this.headBytes += data.length;
    const all = this.head.length === 1 ? this.head[0] : Buffer.concat(this.head);
    const end = all.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.headBytes > MAX_HEAD_BYTES) throw new Http1Error('The server sent response headers larger than 64 KiB.', 'EPROTO');
      this.head = [all];
      return undefined;
    }
    this.head = [];
    this.headBytes = 0;
    const lines = all.toString('latin1', 0, end).split('\r\n');
    const statusLine = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0]);
    if (!statusLine) throw new Http1Error(`The server did not answer with HTTP/1.1 (${JSON.stringify(lines[0].slice(0, 40))}).`, 'EPROTO');
    const status = Number(statusLine[2]);
    const rest = all.subarray(end + 4);
    // An interim answer (100 Continue and the like) is followed by the real one.
    if (status < 200) return rest;
    this.status = status;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      const previous = this.headers.get(name);
      this.headers.set(name, previous === undefined ? value : `${previous}, ${value}`);
    }
    const connection = this.headers.get('connection')?.toLowerCase() ?? '';
    this.keepAlive = statusLine[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
    const length = this.headers.get('content-length');
    if (status === 204 || status === 304) this.mode = { kind: 'none' };
    else if (this.headers.get('transfer-encoding')?.toLowerCase().includes('chunked')) this.mode = { kind: 'chunked' };
    else if (length !== undefined && /^\d+$/.test(length)) this.mode = { kind: 'length', remaining: Number(length) };
    else this.mode = { kind: 'close' };
    if (this.mode.kind === 'none' || (this.mode.kind === 'length' && this.mode.remaining === 0)) this.finishBody();
    return rest;
  }

  private readBody(data: Buffer): Buffer | undefined {
    const mode = this.mode;
    if (mode.kind === 'length') {
      const take = Math.min(mode.remaining, data.length);
      this.deliver(data.subarray(0, take));
      mode.remaining -= take;
      if (mode.remaining === 0) this.finishBody();
      // Anything after the body is out of step (we never pipeline): the connection is not reused.
      if (take < data.length) this.keepAlive = false;
      return undefined;
    }
    if (mode.kind === 'close') {
      this.deliver(data);
      return undefined;
    }
    if (mode.kind === 'chunked') return this.readChunked(data);
    this.keepAlive = false;
    return undefined;
  }

  private readChunked(data: Buffer): Buffer | undefined {
    const c = this.chunk;
    let offset = 0;
    while (offset < data.length && !this.bodyDone) {
      if (c.state === 'data') {
        const take = Math.min(c.remaining, data.length - offset);
        this.deliver(data.subarray(offset, offset + take));
        offset += take;
        c.remaining -= take;
        if (c.remaining === 0) c.state = 'data-end';
        continue;
      }
      const newline = data.indexOf(0x0a, offset);
      const piece = data.toString('latin1', offset, newline < 0 ? data.length : newline + 1);
      offset = newline < 0 ? data.length : newline + 1;
      c.line += piece;
      if (c.line.length > 4096) throw new Http1Error('The server sent a malformed chunked response.', 'EPROTO');
      if (newline < 0) continue;
      const line = c.line.trim();
      c.line = '';
      if (c.state === 'data-end') {
        if (line !== '') throw new Http1Error('The server sent a malformed chunked response.', 'EPROTO');
        c.state = 'size';
      } else if (c.state === 'size') {
        const size = Number.parseInt(line.split(';')[0], 16);
        if (!Number.isFinite(size) || size < 0) throw new Http1Error('The server sent a malformed chunked response.', 'EPROTO');
        if (size === 0) c.state = 'trailer';
        else {
          c.state = 'data';
          c.remaining = size;
        }
      } else if (line === '') {
        this.finishBody();
      }
    }
    if (offset < data.length) this.keepAlive = false;
    return undefined;
  }

  private deliver(data: Buffer): void {
    if (data.length === 0) return;
    if (!this.streaming()) {
      if (this.collectedBytes < MAX_COLLECTED_BYTES) {
        this.collected.push(Buffer.from(data.subarray(0, MAX_COLLECTED_BYTES - this.collectedBytes)));
        this.collectedBytes += data.length;
      }
      return;
    }
    let offset = 0;
    while (offset < data.length) {
      this.stage ??= this.pool.takeStage();
      const copied = data.copy(this.stage, this.stageFill, offset);
      this.stageFill += copied;
      offset += copied;
      if (this.stageFill === this.stage.length) this.flushStage();
    }
  }

  private flushStage(): void {
    const stage = this.stage;
    if (!stage || this.stageFill === 0 || !this.consume) return;
    const fill = this.stageFill;
    this.stage = undefined;
    this.stageFill = 0;
    this.pending++;
    const finished = () => {
      this.pool.returnStage(stage);
      this.pending--;
      if (this.paused && this.pending < MAX_PENDING_STAGES) {
        this.paused.setTimeout(this.pool.timeoutMs);
        this.paused.resume();
        this.paused = undefined;
      }
      this.maybeFinish();
    };
    try {
      const result = this.consume(stage.subarray(0, fill));
      if (result) result.then(finished, (error: Error) => this.fail(error));
      else finished();
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private finishBody(): void {
    this.bodyDone = true;
    this.flushStage();
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.settled || !this.bodyDone || this.pending > 0) return;
    // An answer before the whole body was sent (an early error): the rest of the body is still queued.
    if (!this.requestSent) {
      if (this.status >= 300) this.keepAlive = false;
      else return;
    }
    this.settled = true;
    const body = this.collected.length === 1 ? this.collected[0] : Buffer.concat(this.collected);
    this.done({ response: { status: this.status, headers: this.headers, body }, reusable: this.keepAlive && this.requestSent });
  }
}
