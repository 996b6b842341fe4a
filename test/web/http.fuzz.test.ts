import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzz, reportFuzzCounts } from '../helpers/fuzz';
import { get, rawRequest } from '../helpers/raw-peer';
import { OUTSIDE_MARKER, startTarget, type Target } from '../helpers/web-target';

/**
 * Generated HTTP requests, written byte for byte, against a running browser-mode server: methods, paths
 * (encoded, double-encoded, backslashes, NUL, absolute URLs, raw bytes), Host and other headers, bodies
 * and upgrade attempts. Property: an answer or a close within the bound, never a 5xx, never a file from
 * outside the renderer folder, never an upgrade without the token — and the server still serves after.
 */

const RUNS = 300;
const ALLOWED = new Set([200, 400, 403, 404, 405, 408, 411, 413, 414, 417, 421, 426, 431, 501, 503, 505]);

let target: Target;

const segment = fc.oneof(
  fc.constantFrom('..', '.', '', '%2e%2e', '%2E%2E', '%252e%252e', '.%2e', '%c0%ae%c0%ae', '..%2f..', '..%5c..', '..\\..', '%00', '%ff', '%', '%zz', 'index.html', 'linked.txt', 'linked-dir', 'secret.txt', 'etc', 'passwd', 'bridge', '~', ';', '%20', 'é', '😀', '%F0%9F%98%80', 'a'.repeat(300)),
  fc.string({ maxLength: 12 }),
);
const path = fc.oneof(
  { weight: 6, arbitrary: fc.array(segment, { maxLength: 8 }).map((parts) => `/${parts.join('/')}`) },
  { weight: 1, arbitrary: fc.tuple(fc.array(segment, { maxLength: 4 }), fc.string({ maxLength: 20 })).map(([parts, query]) => `/${parts.join('/')}?${query}`) },
  { weight: 1, arbitrary: fc.constantFrom('*', 'http://[', 'http://127.0.0.1:1/../../etc/passwd', 'http://evil.example/', '//evil.example/x', '/%2F%2Fevil', 'bridge', '') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);
const method = fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH', 'CONNECT', 'PROPFIND', 'get', 'GET GET'), fc.string({ maxLength: 8 }));
const header = fc.tuple(
  fc.oneof(fc.constantFrom('Host', 'Origin', 'Content-Length', 'Transfer-Encoding', 'Upgrade', 'Connection', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Expect', 'Range', 'X-Forwarded-Host'), fc.string({ maxLength: 12 })),
  fc.oneof(fc.constantFrom('', '127.0.0.1', 'localhost', 'evil.example', '-1', '99999999999999999999', 'chunked', 'websocket', 'Upgrade', '100-continue', 'bytes=0-1', '13'), fc.string({ maxLength: 30 })),
);
const host = (port: number) => fc.constantFrom(`127.0.0.1:${port}`, `localhost:${port}`, `127.0.0.1:${port + 1}`, 'evil.example', `evil.example:${port}`, '127.0.0.1', '', undefined);

describe('browser-mode HTTP under fuzz', () => {
  beforeAll(async () => {
    target = await startTarget();
  });
  afterAll(async () => {
    await target.stop();
    reportFuzzCounts();
  });

  it('answers any request with a 2xx/4xx or a close, in time, never leaks or upgrades without the token, and keeps serving', { timeout: 300_000 }, async () => {
    const request = fc.record({ method, path, host: host(target.port), headers: fc.array(header, { maxLength: 4 }), body: fc.option(fc.string({ maxLength: 64 }), { nil: undefined }) });
    await fuzz(
      'HTTP requests',
      RUNS,
      fc.asyncProperty(request, async ({ method, path, host, headers, body }) => {
        const lines = [`${method} ${path} HTTP/1.1`, ...(host === undefined ? [] : [`Host: ${host}`]), ...headers.map(([name, value]) => `${name}: ${value}`), 'Connection: close'];
        const answer = await rawRequest(target.port, Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body ?? ''}`, 'utf8'), 3_000);
        if (answer.status !== undefined) expect(ALLOWED, answer.text.slice(0, 200)).toContain(answer.status);
        else expect(answer.closed, 'neither an answer nor a close within 3 s').toBe(true);
        expect(answer.text).not.toContain(OUTSIDE_MARKER);
        expect(answer.status).not.toBe(101); // no token here, so never a WebSocket
        expect(target.errors).toEqual([]);
      }),
    );
    expect((await get(target.port, '/')).status).toBe(200);
  });

  it('answers arbitrary bytes on the socket with 400 or a close, and keeps serving', { timeout: 300_000 }, async () => {
    await fuzz(
      'HTTP raw bytes',
      100,
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 512 }), async (bytes) => {
        const answer = await rawRequest(target.port, Buffer.concat([Buffer.from(bytes), Buffer.from('\r\n\r\n')]), 3_000);
        if (answer.status !== undefined) expect(ALLOWED).toContain(answer.status);
        else expect(answer.closed).toBe(true);
        expect(target.errors).toEqual([]);
      }),
    );
    expect((await get(target.port, '/')).status).toBe(200);
  });
});
