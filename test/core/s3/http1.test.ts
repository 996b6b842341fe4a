import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { Http1Pool, type Http1Response } from '../../../src-main/core/s3/http1';
import { trustEntry } from '../../helpers/tls';

/*
 * The framing cases S3 servers and the proxies in front of them produce, each from a real local server
 * writing exact bytes. RGW itself is covered in object-requests.int.test.ts.
 */

const servers: { close: () => unknown }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

let connections = 0;

/** A TCP server that answers each request with `answer(requestHead)`, written as raw bytes; it counts connections. */
async function rawServer(answer: (socket: Socket, head: string) => void): Promise<string> {
  connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    let buffered = '';
    socket.on('data', (data) => {
      buffered += data.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(buffered)?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      const head = buffered.slice(0, end);
      buffered = buffered.slice(end + 4 + length);
      answer(socket, head);
    });
    socket.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function fetchText(pool: Http1Pool, stream = false): Promise<Http1Response & { text: string }> {
  const chunks: Buffer[] = [];
  const response = await pool.request({ method: 'GET', target: '/x', headers: {} }, stream ? (chunk) => void chunks.push(Buffer.from(chunk)) : undefined);
  return { ...response, text: (stream ? Buffer.concat(chunks) : response.body).toString() };
}

describe('Http1Pool framing', () => {
  it('reads chunked bodies, with chunk extensions and trailers, and reuses the connection', async () => {
    const origin = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n');
      setTimeout(() => socket.write('7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n'), 10);
    });
    const pool = new Http1Pool(origin, { timeoutMs: 2_000 });
    expect((await fetchText(pool, true)).text).toBe('hello, world');
    expect((await fetchText(pool, true)).text).toBe('hello, world');
    expect(connections).toBe(1);
  });

  it('reads a body that ends when the server closes, and skips an interim 100 Continue', async () => {
    const origin = await rawServer((socket) => {
      socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end');
      socket.end();
    });
    const pool = new Http1Pool(origin, { timeoutMs: 2_000 });
    const response = await fetchText(pool, true);
    expect(response.status).toBe(200);
    expect(response.text).toBe('until the end');
  });

  it('joins repeated headers, and keeps an error body for the caller instead of streaming it', async () => {
    const origin = await rawServer((socket) => {
      socket.write('HTTP/1.1 503 Slow Down\r\nX-Amz-Meta-A: 1\r\nx-amz-meta-a: 2\r\nContent-Length: 14\r\n\r\n<Code>X</Code>');
    });
    const streamed: Buffer[] = [];
    const response = await new Http1Pool(origin, { timeoutMs: 2_000 }).request({ method: 'GET', target: '/', headers: {} }, (chunk) => void streamed.push(chunk));
    expect(response.status).toBe(503);
    expect(response.headers.get('x-amz-meta-a')).toBe('1, 2');
    expect(response.body.toString()).toBe('<Code>X</Code>');
    expect(streamed).toEqual([]);
  });

  it('fails a response cut off mid-body as a reset connection, and one with huge headers as a protocol error', async () => {
    const cut = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part');
      socket.end();
    });
    await expect(fetchText(new Http1Pool(cut, { timeoutMs: 2_000 }), true)).rejects.toMatchObject({ code: 'ECONNRESET' });
    const huge = await rawServer((socket) => socket.write(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70_000)}\r\n`));
    await expect(fetchText(new Http1Pool(huge, { timeoutMs: 2_000 }))).rejects.toMatchObject({ code: 'EPROTO' });
    const notHttp = await rawServer((socket) => socket.write('SSH-2.0-OpenSSH\r\n\r\n'));
    await expect(fetchText(new Http1Pool(notHttp, { timeoutMs: 2_000 }))).rejects.toMatchObject({ code: 'EPROTO' });
  });

  it('times out a server that stops answering', async () => {
    const silent = await rawServer(() => {});
    await expect(fetchText(new Http1Pool(silent, { timeoutMs: 200 }))).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('sends the request line, headers and body as given', async () => {
    let seen = '';
    const origin = await rawServer((socket, head) => {
      seen = head;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    });
    const pool = new Http1Pool(origin, { timeoutMs: 2_000 });
    await pool.request({ method: 'PUT', target: '/b/k%20y?partNumber=1', headers: { 'content-md5': 'abc' }, body: Buffer.from('12345') });
    expect(seen).toBe(`PUT /b/k%20y?partNumber=1 HTTP/1.1\r\nHost: ${new URL(origin).host}\r\ncontent-md5: abc\r\nContent-Length: 5`);
  });
});

describe('Http1Pool over TLS', () => {
  it('verifies the certificate against the CA given, and reads through the reused buffer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keydesk-tls-'));
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost']);
    const [key, cert] = await Promise.all([readFile(join(dir, 'key.pem')), readFile(join(dir, 'cert.pem'))]);
    const body = Buffer.alloc(3 * 1024 * 1024, 'k');
    const server = createHttpsServer({ key, cert }, (_, response) => response.end(body));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `https://localhost:${(server.address() as AddressInfo).port}`;
    const chunks: Buffer[] = [];
    const trusted = new Http1Pool(origin, { timeoutMs: 5_000, trust: [trustEntry('ca', 'localhost', cert)] });
    await trusted.request({ method: 'GET', target: '/', headers: {} }, (chunk) => void chunks.push(Buffer.from(chunk)));
    expect(Buffer.concat(chunks).equals(body)).toBe(true);
    // Without the CA the self-signed certificate is refused, and the error shows it.
    await expect(new Http1Pool(origin, { timeoutMs: 5_000 }).request({ method: 'GET', target: '/', headers: {} })).rejects.toMatchObject({
      code: 'UNTRUSTED_CERTIFICATE',
      certificate: { reason: 'self-signed', host: 'localhost', chain: [{ subject: 'CN=localhost' }] },
    });
  });
});
