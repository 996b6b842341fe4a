import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startWebServer } from '../../src-main/web/server';

let server: Awaited<ReturnType<typeof startWebServer>>;
let origin: string;
let token: string;

function connect(query: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${origin.replace('http', 'ws')}/bridge?${query}`, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    socket.once('error', reject);
  });
}

function call(socket: WebSocket, channel: string, payload?: unknown): Promise<unknown> {
  const id = Math.floor(Math.random() * 1e9);
  return new Promise((resolve) => {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.id === id) resolve(message.envelope);
    });
    socket.send(JSON.stringify({ id, channel, payload }));
  });
}

describe('browser mode server', () => {
  beforeAll(async () => {
    process.env.KEYDESK_HOME = await mkdtemp(join(tmpdir(), 'keydesk-web-'));
    const rendererDir = await mkdtemp(join(tmpdir(), 'keydesk-renderer-'));
    server = await startWebServer({ rendererDir, version: '9.9.9' });
    const url = new URL(server.url);
    origin = url.origin;
    token = new URLSearchParams(url.hash.slice(1)).get('token')!;
  });
  afterAll(async () => {
    await server.close();
    delete process.env.KEYDESK_HOME;
  });

  it('listens on loopback only and prints a tokened URL', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{48}$/);
  });

  it('refuses connections without the token or from another origin', async () => {
    await expect(connect('token=wrong', { origin })).rejects.toThrow('HTTP 403');
    await expect(connect('', { origin })).rejects.toThrow('HTTP 403');
    await expect(connect(`token=${token}`, { origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
  });

  it('applies the same contract validation as IPC', async () => {
    const socket = await connect(`token=${token}`, { origin });
    await expect(call(socket, 'app:info')).resolves.toMatchObject({ ok: true, value: { mode: 'browser', version: '9.9.9' } });
    await expect(call(socket, 'credentials:remove', { id: 'nope' })).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    await expect(call(socket, 'shell:exec', { cmd: 'id' })).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    socket.close();
  });

  it('serves files with the CSP and never outside the renderer directory', async () => {
    const response = await fetch(`${origin}/%2e%2e/%2e%2e/%2e%2e/etc/passwd`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${origin}/`, { method: 'POST' })).status).toBe(405);
  });
});
