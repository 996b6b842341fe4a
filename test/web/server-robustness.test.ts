import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { frame, get, OPCODE, openRawWebSocket, rawRequest, type RawWebSocket } from '../helpers/raw-peer';
import { OUTSIDE_MARKER, startTarget, type Target } from '../helpers/web-target';

// Every crash seen in browser mode, one test each: each one ended the process before the fix.

let target: Target;
let port: number;
let token: string;

const origin = () => target.origin;
const bridgeHeaders = () => ({ Host: `127.0.0.1:${port}`, Origin: origin() });
const openBridge = () => openRawWebSocket(port, `/bridge?token=${token}`, bridgeHeaders());

async function call(ws: RawWebSocket, id: number, channel: unknown, payload?: unknown) {
  ws.socket.write(frame(OPCODE.text, JSON.stringify({ id, channel, payload })));
  return (await ws.nextText((message) => message.id === id))?.envelope as { ok: boolean; error?: { code: string; message: string } } | undefined;
}

/** The server still answers pages and bridge calls, and nothing reached the process's last resort. */
async function stillServing(): Promise<void> {
  expect((await get(port, '/')).status).toBe(200);
  const ws = await openBridge();
  expect(await call(ws, 1, 'app:info')).toMatchObject({ ok: true });
  ws.socket.destroy();
  expect(target.errors).toEqual([]);
}

describe('browser mode survives whatever a local peer sends', () => {
  beforeAll(async () => {
    target = await startTarget({ headersTimeoutMs: 500, requestTimeoutMs: 1_000, checkIntervalMs: 100, heartbeatMs: 1_000, maxBufferedBytes: 256 * 1024, maxClients: 8 });
    ({ port, token } = target);
  });
  afterEach(async () => {
    // Give late errors (a rejected promise nobody awaited) a moment to surface in this test, not the next.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(target.errors).toEqual([]);
  });
  afterAll(() => target.stop());

  describe('static files', () => {
    it.each(['/%ff', '/%', '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd', '/%E0%A4%A', '/a%zz'])('answers %s with 400 instead of dying on a URIError', async (path) => {
      expect((await get(port, path)).status).toBe(400);
      await stillServing();
    });

    it('answers an absolute-form URL it cannot parse with 400', async () => {
      expect((await get(port, 'http://[')).status).toBe(400);
      expect((await get(port, 'http://127.0.0.1:1/../../etc/passwd')).status).toBe(404);
      await stillServing();
    });

    it.each([
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/%252e%252e/%252e%252e/etc/passwd',
      '/..\\..\\..\\etc\\passwd',
      '/%5c..%5c..%5cetc%5cpasswd',
      '/index.html%00.png',
      '/linked.txt',
      '/linked-dir/secret.txt',
    ])('never serves a file outside the renderer folder: %s', async (path) => {
      const answer = await get(port, path);
      expect([400, 404]).toContain(answer.status);
      expect(answer.text).not.toContain(OUTSIDE_MARKER);
    });

    it('answers HEAD without a body, and OPTIONS, POST and other methods with 405', async () => {
      const head = await get(port, '/', {}, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.text).not.toContain('<title>');
      for (const method of ['OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH', 'TRACE', 'CONNECT', 'PROPFIND']) {
        const answer = await get(port, method === 'CONNECT' ? '127.0.0.1:1' : '/', { 'Content-Length': '0' }, method);
        expect(answer.status, method).toBe(405);
      }
      expect((await get(port, '/', {}, 'OPTIONS')).text).toMatch(/allow: GET, HEAD/i);
      await stillServing();
    });

    it('refuses a Host other than 127.0.0.1:port or localhost:port (DNS rebinding)', async () => {
      expect((await get(port, '/', { Host: 'evil.example' })).status).toBe(421);
      expect((await get(port, '/', { Host: `evil.example:${port}` })).status).toBe(421);
      expect((await get(port, '/', { Host: '127.0.0.1' })).status).toBe(421);
      expect((await get(port, '/', { Host: `127.0.0.1:${port + 1}` })).status).toBe(421);
      expect((await rawRequest(port, 'GET / HTTP/1.0\r\n\r\n')).status).toBe(421);
      expect((await get(port, '/', { Host: `localhost:${port}` })).status).toBe(200);
      expect((await get(port, '/', { Host: `LOCALHOST:${port}` })).status).toBe(200);
    });

    it('answers garbage, huge headers and absurd URLs with 4xx', async () => {
      expect((await rawRequest(port, 'GARBAGE\r\n\r\n')).status).toBe(400);
      expect((await rawRequest(port, Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]))).status).toBe(400);
      expect((await get(port, `/${'a'.repeat(100_000)}`)).status).toBe(431);
      expect((await get(port, '/', { 'X-Big': 'b'.repeat(20_000) })).status).toBe(431);
      expect((await get(port, '/', { Host: `127.0.0.1:${port}\r\nHost: evil.example` })).status).toBe(421);
      await stillServing();
    });

    it('drops a connection that sends its headers too slowly (slowloris)', async () => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const drip = setInterval(() => socket.writable && socket.write('X-Drip: 1\r\n'), 100);
      await closed;
      clearInterval(drip);
      await stillServing();
    });

    it('keeps serving while hundreds of idle connections are open', async () => {
      const idle: Socket[] = [];
      for (let i = 0; i < 300; i++) {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => {});
        idle.push(socket);
      }
      await Promise.all(idle.map((socket) => new Promise((resolve) => socket.once('connect', resolve).once('close', resolve))));
      await stillServing();
      for (const socket of idle) socket.destroy();
    });
  });

  describe('WebSocket upgrade', () => {
    it('refuses upgrades with a bad URL, wrong Host, wrong path, token or Origin without dying', async () => {
      const refused = async (path: string, headers: Record<string, string>) => {
        const outcome = await openRawWebSocket(port, path, headers).then(
          (ws) => (ws.socket.destroy(), 'opened'),
          (error: Error) => error.message,
        );
        expect(outcome, `${path} ${JSON.stringify(headers)}`).toMatch(/^HTTP\/1\.1 4\d\d/);
      };
      await refused('http://[', bridgeHeaders());
      await refused(`/bridge?token=${token}`, { ...bridgeHeaders(), Host: 'evil.example' });
      await refused(`/bridge?token=${token}`, { ...bridgeHeaders(), Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` });
      await refused(`/other?token=${token}`, bridgeHeaders());
      await refused(`/bridge?token=${token.slice(1)}`, bridgeHeaders());
      await refused(`/bridge?token=${'é'.repeat(24)}`, bridgeHeaders());
      await refused(`/bridge?token=${token}%ff`, bridgeHeaders());
      await refused(`/bridge?token=${token}`, { Host: `127.0.0.1:${port}` });
      await refused(`/bridge?token=${token}`, { ...bridgeHeaders(), Origin: 'null' });
      await refused(`/bridge?token=${token}`, { ...bridgeHeaders(), 'Sec-WebSocket-Version': '7' });
      await stillServing();
    });

    it('accepts the page at localhost:port as well as 127.0.0.1:port', async () => {
      const ws = await openRawWebSocket(port, `/bridge?token=${token}`, { Host: `localhost:${port}`, Origin: `http://localhost:${port}` });
      expect(await call(ws, 7, 'app:info')).toMatchObject({ ok: true });
      ws.socket.destroy();
    });
  });

  describe('bridge frames', () => {
    it.each([
      ['null', 'null'],
      ['a number', '42'],
      ['a string', '"app:info"'],
      ['an array', '[1,2,3]'],
      ['not JSON', '{"id": 1, "channel":'],
      ['an empty frame', ''],
    ])('answers a frame that is %s with a typed error', async (_name, text) => {
      const ws = await openBridge();
      ws.socket.write(frame(OPCODE.text, text));
      expect(await ws.nextText((message) => 'error' in message)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
      expect(await call(ws, 2, 'app:info')).toMatchObject({ ok: true });
      ws.socket.destroy();
    });

    it('answers channels that are not strings with a typed error', async () => {
      const ws = await openBridge();
      expect(await call(ws, 1, { toString: 1 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(await call(ws, 2, { toString: 'x', valueOf: 'y' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(await call(ws, 3, null)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(await call(ws, 4, ['app:info'])).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(await call(ws, 5, '__proto__')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(await call(ws, 6, 'toString')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      ws.socket.write(frame(OPCODE.text, JSON.stringify({ id: 'x', channel: 'app:info' })));
      expect(await ws.nextText((message) => 'error' in message)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
      ws.socket.destroy();
      await stillServing();
    });

    it('answers a deeply nested array as channel or payload with a typed error', async () => {
      const ws = await openBridge();
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      ws.socket.write(frame(OPCODE.text, `{"id":1,"channel":${deep}}`));
      expect(await ws.nextText((message) => message.id === 1 || 'error' in message)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
      ws.socket.write(frame(OPCODE.text, `{"id":2,"channel":"credentials:remove","payload":{"id":${deep}}}`));
      expect(await ws.nextText((message) => message.id === 2 || 'error' in message)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
      const deepObject = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
      ws.socket.write(frame(OPCODE.text, `{"id":3,"channel":"accounts:add","payload":${deepObject}}`));
      expect(await ws.nextText((message) => message.id === 3 || 'error' in message)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
      expect(await call(ws, 4, 'app:info')).toMatchObject({ ok: true });
      ws.socket.destroy();
      await stillServing();
    });

    it('answers a binary frame with a typed error', async () => {
      const ws = await openBridge();
      ws.socket.write(frame(OPCODE.binary, Buffer.from(JSON.stringify({ id: 1, channel: 'app:info' }))));
      expect(await ws.nextText((message) => 'error' in message)).toMatchObject({ error: { code: 'INVALID_INPUT', message: expect.stringContaining('text') } });
      expect(await call(ws, 2, 'app:info')).toMatchObject({ ok: true });
      ws.socket.destroy();
    });

    it('closes a connection that sends invalid UTF-8, and keeps serving', async () => {
      const ws = await openBridge();
      ws.socket.write(frame(OPCODE.text, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
      await ws.closed;
      expect(ws.frames.find((f) => f.opcode === OPCODE.close)?.payload.readUInt16BE(0)).toBe(1007);
      await stillServing();
    });

    it('closes a connection that sends a frame over 1 MiB, and keeps serving', async () => {
      const ws = await openBridge();
      ws.socket.write(frame(OPCODE.text, JSON.stringify({ id: 1, channel: 'app:info', payload: 'x'.repeat(1024 * 1024) })));
      await ws.closed;
      expect(ws.frames.find((f) => f.opcode === OPCODE.close)?.payload.readUInt16BE(0)).toBe(1009);
      await stillServing();
    });

    it('survives protocol errors: unmasked frames, reserved bits, bad opcodes, oversize control frames, stray continuations', async () => {
      for (const bytes of [
        frame(OPCODE.text, '{}', { mask: false }),
        frame(OPCODE.text, '{}', { rsv: 4 }),
        frame(0x3, 'x'),
        frame(OPCODE.ping, 'p'.repeat(200)),
        frame(OPCODE.continuation, 'x'),
        frame(OPCODE.ping, 'x', { fin: false }),
        Buffer.concat([frame(OPCODE.text, '{"id":', { fin: false }), frame(OPCODE.text, '1}')]),
        Buffer.from([0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      ]) {
        const ws = await openBridge();
        ws.socket.write(bytes);
        await ws.closed;
      }
      await stillServing();
    });

    it('ignores frames after a close frame, and replies that arrive after the peer left', async () => {
      const ws = await openBridge();
      ws.socket.write(
        Buffer.concat([
          frame(OPCODE.text, JSON.stringify({ id: 1, channel: 'vault:status' })),
          frame(OPCODE.close, Buffer.from([0x03, 0xe8])),
          frame(OPCODE.text, JSON.stringify({ id: 2, channel: 'app:info' })),
          frame(OPCODE.binary, 'x'),
        ]),
      );
      await ws.closed;
      // A call still running when its connection is destroyed outright.
      const gone = await openBridge();
      gone.socket.write(frame(OPCODE.text, JSON.stringify({ id: 3, channel: 'vault:status' })));
      gone.socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await stillServing();
    });

    it('answers a flood of calls beyond the in-flight limit with a typed error', async () => {
      const ws = await openBridge();
      const frames = Array.from({ length: 400 }, (_, i) => frame(OPCODE.text, JSON.stringify({ id: i + 1, channel: 'app:info' })));
      ws.socket.write(Buffer.concat(frames));
      const limited = await ws.nextText((message) => (message.envelope as { error?: { code: string } } | undefined)?.error?.code === 'LIMIT_REACHED');
      expect(limited).toMatchObject({ envelope: { ok: false, error: { message: expect.stringContaining('at once') } } });
      ws.socket.destroy();
      await stillServing();
    });

    it('drops a peer that stops reading instead of queueing answers without end', async () => {
      const warnings: string[] = [];
      const write = vi.spyOn(process.stderr, 'write').mockImplementation((line) => {
        warnings.push(String(line));
        return true;
      });
      const ws = await openBridge();
      ws.socket.pause(); // reads nothing from now on
      for (let round = 0; round < 40 && !ws.socket.destroyed; round++) {
        const frames = Array.from({ length: 100 }, (_, i) => frame(OPCODE.text, JSON.stringify({ id: round * 100 + i, channel: 'providers:list' })));
        ws.socket.write(Buffer.concat(frames));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      ws.socket.resume();
      await ws.closed;
      write.mockRestore();
      expect(warnings.join('')).toContain('Browser-mode connection dropped: the page stopped reading.');
      await stillServing();
    });

    it('drops a peer that answers no pings (a half-open connection)', async () => {
      const ws = await openBridge(); // the raw peer never answers pings
      await ws.closed;
      expect(ws.frames.some((f) => f.opcode === OPCODE.ping)).toBe(true);
      await stillServing();
    });

    it('refuses connections past its limit with 503, and takes new ones once others close', async () => {
      const open = await Promise.all(Array.from({ length: 8 }, () => openBridge()));
      await expect(openBridge()).rejects.toThrow('HTTP/1.1 503');
      open[0].socket.destroy();
      await open[0].closed;
      await new Promise((resolve) => setTimeout(resolve, 50));
      const again = await openBridge();
      expect(await call(again, 1, 'app:info')).toMatchObject({ ok: true });
      for (const ws of [...open, again]) ws.socket.destroy();
    });
  });
});
