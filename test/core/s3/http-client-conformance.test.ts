import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createServer as createHttpServer } from 'node:http';
import { connect as connectTcp } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { envProxyResolver, setProxyResolver } from '../../../src-main/core/transport/proxy';
import { Http1Pool, type Http1Options, type Http1Response } from '../../../src-main/core/s3/http1';
import type { ObjectHttpPool } from '../../../src-main/core/s3/object-requests';
import { trustEntry } from '../../helpers/tls';
import { UndiciPool } from '../../helpers/undici-pool';

/*
 * One conformance suite for the object path's HTTP client, run against http1.ts (what Keydesk ships) and
 * undici (the maintained alternative the bench measures against it; see README, Performance), so the
 * choice between them stays checked: the framing cases S3 servers and the proxies in front of them
 * produce, each from a real local server writing exact bytes; keep-alive races with a server closing
 * idle connections; resets mid-body; TLS with a private CA. RGW itself is covered in
 * object-requests.int.test.ts.
 */

const CLIENTS: [string, (origin: string, options: Http1Options) => ObjectHttpPool][] = [
  ['http1.ts', (origin, options) => new Http1Pool(origin, options)],
  ['undici', (origin, options) => new UndiciPool(origin, options)],
];

/**
 * Where a client does not conform today, run as expected failures: the suite fails when that changes.
 * undici 7.30 opens a second connection after a chunked body that ends with trailers, and refuses an
 * interim 100 Continue it did not ask for (UND_ERR_SOCKET "bad response"), which RFC 9110 says a client
 * must skip.
 */
const DIVERGES: Record<string, Set<string>> = { undici: new Set(['chunked-reuse', 'interim-100']) };
const conforms = (client: string, id: string) => (DIVERGES[client]?.has(id) ? it.fails : it);

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

async function fetchText(pool: ObjectHttpPool, stream = false): Promise<Http1Response & { text: string }> {
  const chunks: Buffer[] = [];
  const response = await pool.request({ method: 'GET', target: '/x', headers: {} }, stream ? (chunk) => void chunks.push(Buffer.from(chunk)) : undefined);
  return { ...response, text: (stream ? Buffer.concat(chunks) : response.body).toString() };
}

describe.each(CLIENTS)('%s: framing', (client, open) => {
  conforms(client, 'chunked-reuse')('reads chunked bodies, with chunk extensions and trailers, and reuses the connection', async () => {
    const origin = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n');
      setTimeout(() => socket.write('7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n'), 10);
    });
    const pool = open(origin, { timeoutMs: 2_000 });
    expect((await fetchText(pool, true)).text).toBe('hello, world');
    expect((await fetchText(pool, true)).text).toBe('hello, world');
    expect(connections).toBe(1);
  });

  it('reads a body that ends when the server closes', async () => {
    const origin = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end');
      socket.end();
    });
    const response = await fetchText(open(origin, { timeoutMs: 2_000 }), true);
    expect(response.status).toBe(200);
    expect(response.text).toBe('until the end');
  });

  conforms(client, 'interim-100')('skips an interim 100 Continue', async () => {
    const origin = await rawServer((socket) => socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc'));
    const response = await fetchText(open(origin, { timeoutMs: 2_000 }), true);
    expect(response.status).toBe(200);
    expect(response.text).toBe('abc');
  });

  it('joins repeated headers, and keeps an error body for the caller instead of streaming it', async () => {
    const origin = await rawServer((socket) => {
      socket.write('HTTP/1.1 503 Slow Down\r\nX-Amz-Meta-A: 1\r\nx-amz-meta-a: 2\r\nContent-Length: 14\r\n\r\n<Code>X</Code>');
    });
    const streamed: Buffer[] = [];
    const response = await open(origin, { timeoutMs: 2_000 }).request({ method: 'GET', target: '/', headers: {} }, (chunk) => void streamed.push(chunk));
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
    await expect(fetchText(open(cut, { timeoutMs: 2_000 }), true)).rejects.toMatchObject({ code: 'ECONNRESET' });
    const huge = await rawServer((socket) => socket.write(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70_000)}\r\n`));
    await expect(fetchText(open(huge, { timeoutMs: 2_000 }))).rejects.toMatchObject({ code: 'EPROTO' });
    const notHttp = await rawServer((socket) => socket.write('SSH-2.0-OpenSSH\r\n\r\n'));
    await expect(fetchText(open(notHttp, { timeoutMs: 2_000 }))).rejects.toMatchObject({ code: 'EPROTO' });
  });

  it('times out a server that stops answering', async () => {
    const silent = await rawServer(() => {});
    await expect(fetchText(open(silent, { timeoutMs: 200 }))).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('sends the request line, headers and body as given', async () => {
    let seen = '';
    const origin = await rawServer((socket, head) => {
      seen = head;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    });
    const pool = open(origin, { timeoutMs: 2_000 });
    await pool.request({ method: 'PUT', target: '/b/k%20y?partNumber=1', headers: { 'content-md5': 'abc' }, body: Buffer.from('12345') });
    const [line, ...headers] = seen.split('\r\n');
    expect(line).toBe('PUT /b/k%20y?partNumber=1 HTTP/1.1');
    // Header names are case-insensitive; clients differ in case and in adding Connection: keep-alive.
    const named = new Map(headers.map((h) => [h.slice(0, h.indexOf(':')).toLowerCase(), h.slice(h.indexOf(':') + 1).trim()]));
    expect(named.get('host')).toBe(new URL(origin).host);
    expect(named.get('content-md5')).toBe('abc');
    expect(named.get('content-length')).toBe('5');
  });
});

describe.each(CLIENTS)('%s: keep-alive and broken connections', (_, open) => {
  it('resends a request once on a new connection when the server closed the idle one as it arrived', async () => {
    // Every connection answers one request, then closes when the next one arrives (the race of a server's
    // idle timeout with a client reusing the connection), without a byte of answer.
    const answered = new WeakSet<Socket>();
    const origin = await rawServer((socket) => {
      if (answered.has(socket)) return void socket.destroy();
      answered.add(socket);
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const pool = open(origin, { timeoutMs: 2_000 });
    for (let i = 0; i < 3; i++) expect((await fetchText(pool, true)).text).toBe('ok');
    expect(connections).toBe(3);
  });

  it('notices a connection the server closed while it was idle, and uses a new one', async () => {
    const origin = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      setTimeout(() => socket.end(), 20);
    });
    const pool = open(origin, { timeoutMs: 2_000 });
    expect((await fetchText(pool, true)).text).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await fetchText(pool, true)).text).toBe('ok');
    expect(connections).toBe(2);
  });

  it('fails a response reset mid-body (TCP RST) as a reset connection, after handing over what arrived, and is not resent', async () => {
    let requests = 0;
    const origin = await rawServer((socket) => {
      requests++;
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${1024 * 1024}\r\n\r\n${'x'.repeat(64 * 1024)}`);
      setTimeout(() => socket.resetAndDestroy(), 20);
    });
    const chunks: Buffer[] = [];
    const pool = open(origin, { timeoutMs: 2_000 });
    await expect(pool.request({ method: 'GET', target: '/', headers: {} }, (chunk) => void chunks.push(Buffer.from(chunk)))).rejects.toMatchObject({ code: 'ECONNRESET' });
    // Once answer bytes arrived the request is not sent again: the caller retries the whole range.
    expect(requests).toBe(1);
    expect(Buffer.concat(chunks).length).toBeLessThanOrEqual(64 * 1024);
    // The pool still works.
    const fresh = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    expect((await fetchText(open(fresh, { timeoutMs: 2_000 }), true)).text).toBe('ok');
  });

  it('stops the body when the consumer fails, and a cancel ends a request that is waiting', async () => {
    const origin = await rawServer((socket) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${4 * 1024 * 1024}\r\n\r\n${'y'.repeat(512 * 1024)}`));
    const pool = open(origin, { timeoutMs: 5_000 });
    await expect(pool.request({ method: 'GET', target: '/', headers: {} }, () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    const silent = await rawServer(() => {});
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 50);
    await expect(open(silent, { timeoutMs: 5_000 }).request({ method: 'GET', target: '/', headers: {}, signal: cancel.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

/** A self-signed certificate for localhost (its own CA), made once for both clients. */
const selfSigned = (async () => {
  const dir = await mkdtemp(join(tmpdir(), 'keydesk-tls-'));
  await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost']);
  const [key, cert] = await Promise.all([readFile(join(dir, 'key.pem')), readFile(join(dir, 'cert.pem'))]);
  return { key, cert };
})();

describe.each(CLIENTS)('%s over TLS', (_, open) => {
  it('verifies the certificate against the CA given, and reads through the reused buffer', { timeout: 20_000 }, async () => {
    const { key, cert } = await selfSigned;
    const body = Buffer.alloc(3 * 1024 * 1024, 'k');
    const server = createHttpsServer({ key, cert }, (_, response) => response.end(body));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `https://localhost:${(server.address() as AddressInfo).port}`;
    const chunks: Buffer[] = [];
    const trusted = open(origin, { timeoutMs: 5_000, trust: [trustEntry('ca', 'localhost', cert)] });
    await trusted.request({ method: 'GET', target: '/', headers: {} }, (chunk) => void chunks.push(Buffer.from(chunk)));
    expect(Buffer.concat(chunks).equals(body)).toBe(true);
    // Without the CA the self-signed certificate is refused, and the error shows it.
    await expect(open(origin, { timeoutMs: 5_000 }).request({ method: 'GET', target: '/', headers: {} })).rejects.toMatchObject({
      code: 'UNTRUSTED_CERTIFICATE',
      certificate: { reason: 'self-signed', host: 'localhost', chain: [{ subject: 'CN=localhost' }] },
    });
  });
});

/** A CONNECT proxy that counts the tunnels it opened. */
async function connectProxy(): Promise<{ url: string; tunnels: string[] }> {
  const tunnels: string[] = [];
  const proxy = createHttpServer((_, response) => response.writeHead(405).end());
  proxy.on('connect', (request: { url?: string }, client: Socket, head: Buffer) => {
    tunnels.push(request.url ?? '');
    const [host, port] = (request.url ?? '').split(':');
    const upstream = connectTcp(Number(port), host === 'localhost' ? '127.0.0.1' : host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  servers.push(proxy);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, tunnels };
}

describe.each(CLIENTS)('%s through a proxy', (_, open) => {
  afterEach(() => setProxyResolver(envProxyResolver({})));

  it('tunnels plain HTTP and TLS (with the endpoint\'s private CA) through HTTP(S)_PROXY with CONNECT', { timeout: 20_000 }, async () => {
    const proxy = await connectProxy();
    setProxyResolver(envProxyResolver({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url }));
    const plain = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nplain'));
    expect((await fetchText(open(plain, { timeoutMs: 5_000 }), true)).text).toBe('plain');
    const { key, cert } = await selfSigned;
    const body = Buffer.alloc(2 * 1024 * 1024, 't');
    const server = createHttpsServer({ key, cert }, (_, response) => response.end(body));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const chunks: Buffer[] = [];
    await open(`https://localhost:${port}`, { timeoutMs: 5_000, trust: [trustEntry('ca', 'localhost', cert)] }).request({ method: 'GET', target: '/', headers: {} }, (chunk) => void chunks.push(Buffer.from(chunk)));
    expect(Buffer.concat(chunks).equals(body)).toBe(true);
    expect(proxy.tunnels).toEqual([new URL(plain).host, `localhost:${port}`]);
  });
});
