import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startWebServer } from '../../src-main/web/server';

let server: Awaited<ReturnType<typeof startWebServer>>;
let origin: string;
let token: string;
let files: string;
let rendererDir: string;

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
    rendererDir = await mkdtemp(join(tmpdir(), 'keydesk-renderer-'));
    files = await mkdtemp(join(tmpdir(), 'keydesk-web-files-'));
    server = await startWebServer({ rendererDir, cliScript: '/opt/keydesk/cli.js', version: '9.9.9', localFolders: [files] });
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

  it('transfers only paths under the folders it was started with, and no dropped paths the page names', async () => {
    const socket = await connect(`token=${token}`, { origin });
    const upload = { credentialId: crypto.randomUUID(), bucket: 'b', prefix: '' };
    await expect(call(socket, 'transfers:uploadFiles', { ...upload, paths: ['/etc/hostname'] })).resolves.toMatchObject({
      ok: false,
      error: { code: 'ACCESS_DENIED', message: '/etc/hostname is outside the folders this browser-mode Keydesk may upload from.', hint: expect.stringContaining('KEYDESK_WEB_PATHS') },
    });
    await expect(call(socket, 'transfers:uploadFolder', { ...upload, path: `${files}/../` })).resolves.toMatchObject({ ok: false, error: { code: 'ACCESS_DENIED' } });
    await expect(call(socket, 'transfers:download', { credentialId: upload.credentialId, bucket: 'b', files: [], folders: ['f/'], targetDir: `${files}-evil` })).resolves.toMatchObject({
      ok: false,
      error: { code: 'ACCESS_DENIED', message: expect.stringContaining('may download into') },
    });
    // Inside the folder the grant check passes; the unknown credential is what refuses it.
    await expect(call(socket, 'transfers:uploadFiles', { ...upload, paths: [join(files, 'a.txt')] })).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await expect(call(socket, 'dialogs:dropped', { paths: ['/etc/hostname'] })).resolves.toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
    await expect(call(socket, 'transfers:uploadFiles', { ...upload, paths: ['/etc/hostname'] })).resolves.toMatchObject({ ok: false, error: { code: 'ACCESS_DENIED' } });
    socket.close();
  });

  it('refuses to start with a relative folder for files', async () => {
    await expect(startWebServer({ rendererDir: files, cliScript: '/opt/keydesk/cli.js', version: '9.9.9', localFolders: ['data'] })).rejects.toThrow('KEYDESK_WEB_PATHS: give full paths');
  });

  it('serves files with the CSP and never outside the renderer directory', async () => {
    const response = await fetch(`${origin}/%2e%2e/%2e%2e/%2e%2e/etc/passwd`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${origin}/`, { method: 'POST' })).status).toBe(405);
  });

  it("serves module scripts as JavaScript (a module worker, pdf.js's, is refused with any other type)", async () => {
    await writeFile(join(rendererDir, 'pdf.worker.mjs'), 'export {};');
    const response = await fetch(`${origin}/pdf.worker.mjs`);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
