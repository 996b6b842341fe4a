import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A peer that speaks raw bytes to browser mode, the way an attacker would: HTTP requests written by hand
 * (any method, path or header, even ones a client library refuses to send) and hand-built WebSocket frames.
 */

export interface RawAnswer {
  /** Status of the first final (non-1xx) response, if one came. */
  status?: number;
  /** Everything the server sent. */
  text: string;
  /** The server closed the connection (or it errored) before `waitMs` ran out. */
  closed: boolean;
}

/** Writes `request` on a fresh connection and collects what comes back until the server closes or `waitMs` pass. */
export function rawRequest(port: number, request: string | Buffer, waitMs = 2_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      // The final status: "100 Continue" and other interim answers come first.
      const status = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3})/g)].map((match) => match[1]).find((code) => !code.startsWith('1'));
      resolve({ status: status ? Number(status) : undefined, text, closed });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (responseComplete(Buffer.concat(chunks))) finish();
    });
    socket.on('error', () => {
      closed = true;
      finish();
    });
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.write(request);
  });
}

/** A whole response: its head, and as many body bytes as Content-Length announced. */
function responseComplete(data: Buffer): boolean {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(data.subarray(0, end).toString('latin1'))?.[1];
  return length !== undefined && data.length - end - 4 >= Number(length);
}

/** `GET path` with the Host header browser mode expects, unless `headers` says otherwise. */
export function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawAnswer> {
  const all = { Host: `127.0.0.1:${port}`, Connection: 'close', ...headers };
  const lines = Object.entries(all).map(([name, value]) => `${name}: ${value}`);
  return rawRequest(port, `${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
}

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** One client frame, masked as RFC 6455 requires of clients (unless told not to), with any flags. */
export function frame(opcode: number, payload: Buffer | string, options: { fin?: boolean; rsv?: number; mask?: boolean } = {}): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const mask = options.mask ?? true;
  const head = [((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode];
  const length: number[] = [];
  if (body.length < 126) head.push((mask ? 0x80 : 0) | body.length);
  else if (body.length < 65_536) {
    head.push((mask ? 0x80 : 0) | 126);
    length.push(body.length >> 8, body.length & 0xff);
  } else {
    head.push((mask ? 0x80 : 0) | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(body.length));
    length.push(...big);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), Buffer.from(length), body]);
  const key = randomBytes(4);
  const masked = Buffer.from(body);
  for (let i = 0; i < masked.length; i++) masked[i] ^= key[i % 4];
  return Buffer.concat([Buffer.from(head), Buffer.from(length), key, masked]);
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/** A WebSocket opened by hand: write any bytes, read the server's frames as they come. */
export interface RawWebSocket {
  socket: Socket;
  frames: ServerFrame[];
  closed: Promise<void>;
  /** Resolves with the first text frame that satisfies `match`, or undefined after `waitMs`. */
  nextText(match: (message: Record<string, unknown>) => boolean, waitMs?: number): Promise<Record<string, unknown> | undefined>;
}

export function openRawWebSocket(port: number, path: string, headers: Record<string, string>): Promise<RawWebSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const frames: ServerFrame[] = [];
    const waiters = new Set<() => void>();
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', (error) => {
      if (!upgraded) reject(error);
    });
    socket.on('close', () => {
      if (!upgraded) reject(new Error('closed before the upgrade'));
      for (const waiter of waiters) waiter();
    });
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head.split('\r\n')[0]));
        upgraded = true;
        resolve({ socket, frames, closed, nextText });
      }
      for (let parsed = parseFrame(buffer); parsed; parsed = parseFrame(buffer)) {
        frames.push(parsed.frame);
        buffer = buffer.subarray(parsed.used);
      }
      for (const waiter of waiters) waiter();
    });
    const key = randomBytes(16).toString('base64');
    const lines = Object.entries({ Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13', ...headers });
    socket.write(`GET ${path} HTTP/1.1\r\n${lines.map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n`);

    let seen = 0;
    function nextText(match: (message: Record<string, unknown>) => boolean, waitMs = 5_000): Promise<Record<string, unknown> | undefined> {
      return new Promise((done) => {
        const check = () => {
          for (; seen < frames.length; seen++) {
            if (frames[seen].opcode !== OPCODE.text) continue;
            const message = JSON.parse(frames[seen].payload.toString()) as Record<string, unknown>;
            if (match(message)) {
              seen++;
              return finish(message);
            }
          }
          if (socket.destroyed) finish(undefined);
        };
        const finish = (message: Record<string, unknown> | undefined) => {
          clearTimeout(timer);
          waiters.delete(check);
          done(message);
        };
        const timer = setTimeout(() => finish(undefined), waitMs);
        waiters.add(check);
        check();
      });
    }
  });
}

function parseFrame(buffer: Buffer): { frame: ServerFrame; used: number } | undefined {
  if (buffer.length < 2) return undefined;
  let length = buffer[1] & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  if (buffer.length < offset + length) return undefined;
  return { frame: { opcode: buffer[0] & 0x0f, payload: buffer.subarray(offset, offset + length) }, used: offset + length };
}
