import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { BridgeState, KeydeskBridge } from '../../src-main/ipc/contract';
import { startWebServer } from '../../src-main/web/server';
import { createWebBridge } from '../../src-renderer/src/lib/web-bridge';
import { startTcpProxy } from '../helpers/tcp-proxy';

// The page's bridge against a real browser-mode server, with the network between them cut, frozen and
// restored by a relay: what the page does when the app behind it goes away, and when it comes back.

let server: Awaited<ReturnType<typeof startWebServer>>;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let serverPort: number;
let token: string;
let home: string;

/**
 * A browser's WebSocket to the relay, sending what Chromium would for a page served by the server. As in
 * a browser, a failed connection is an event, not a thrown error (ws throws without an 'error' listener).
 */
function pageSocket(): typeof globalThis.WebSocket {
  const port = serverPort;
  return class extends WebSocket {
    constructor(url: string) {
      super(url, { headers: { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` } });
      this.on('error', () => {});
    }
  } as unknown as typeof globalThis.WebSocket;
}

function openBridge(withToken = token): { bridge: KeydeskBridge; states: BridgeState[] } {
  const location = { hash: `#token=${withToken}`, protocol: 'http:', host: `127.0.0.1:${proxy.port}` } as Location;
  const bridge = createWebBridge(location, pageSocket());
  const states: BridgeState[] = [];
  bridge.onConnection((state) => void states.push(state));
  return { bridge, states };
}

describe('browser-mode bridge in the page', () => {
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'keydesk-bridge-'));
    process.env.KEYDESK_HOME = home;
    server = await startWebServer({ rendererDir: home, cliScript: '/opt/keydesk/cli.js', version: '9.9.9' });
    const url = new URL(server.url);
    serverPort = Number(url.port);
    token = new URLSearchParams(url.hash.slice(1)).get('token')!;
  });
  beforeEach(async () => {
    proxy = await startTcpProxy(serverPort);
  });
  afterEach(async () => {
    vi.useRealTimers();
    await proxy.close();
  });
  afterAll(async () => {
    await server.close();
    delete process.env.KEYDESK_HOME;
    await rm(home, { recursive: true, force: true });
  });

  it('ends pending calls with a clear error when the connection drops, fails new ones at once, and recovers when the same server is back', async () => {
    const { bridge, states } = openBridge();
    await expect(bridge.app.info()).resolves.toMatchObject({ ok: true, value: { version: '9.9.9' } });
    proxy.freeze();
    const pending = bridge.credentials.list();
    proxy.cut();
    await expect(pending).resolves.toEqual({
      ok: false,
      error: { code: 'NETWORK', message: 'Keydesk has stopped: this page lost its connection to it.', hint: expect.stringContaining('open the new URL it prints') },
    });
    expect(states.at(-1)).toEqual({ status: 'lost', reason: 'stopped' });
    await expect(bridge.transfers.cancel({ ids: [crypto.randomUUID()] })).resolves.toMatchObject({ ok: false, error: { code: 'NETWORK' } });

    proxy.restore();
    await vi.waitFor(() => expect(states.at(-1)).toEqual({ status: 'open' }), { timeout: 10_000 });
    await expect(bridge.app.info()).resolves.toMatchObject({ ok: true });
  });

  it('reports main as not responding when pings go unanswered on an open connection', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { bridge, states } = openBridge();
    await expect(bridge.app.info()).resolves.toMatchObject({ ok: true });
    proxy.freeze();
    const move = bridge.objects.move({ credentialId: crypto.randomUUID(), bucket: 'b', from: 'a', to: 'b', operationId: crypto.randomUUID() });
    await vi.advanceTimersByTimeAsync(16_000);
    expect(states.at(-1)).toEqual({ status: 'lost', reason: 'not-responding' });
    await expect(move).resolves.toMatchObject({ ok: false, error: { code: 'TIMEOUT', message: expect.stringContaining('Keydesk stopped answering') } });
    proxy.restore();
    await vi.advanceTimersByTimeAsync(6_000);
    await vi.waitFor(() => expect(states.at(-1)).toEqual({ status: 'open' }), { timeout: 10_000 });
  });

  it('says the page cannot reach Keydesk when it never connected (wrong token, or nothing running)', async () => {
    const { bridge, states } = openBridge('0'.repeat(48));
    await expect(bridge.app.info()).resolves.toMatchObject({ ok: false, error: { code: 'NETWORK', message: expect.stringContaining('cannot reach Keydesk') } });
    expect(states).toEqual([{ status: 'connecting' }, { status: 'lost', reason: 'unreachable' }]);
  });
});
