import type { Envelope } from '../../../src-main/ipc/channel';
import { channelNames, eventNames } from '../../../src-main/ipc/channel-names';
import type { KeydeskBridge } from '../../../src-main/ipc/contract';

/**
 * Browser mode: the same `keydesk` API as the preload, carried over a WebSocket to the Node services.
 * The token comes from the URL fragment the server printed (fragments never reach server logs).
 */
export function createWebBridge(location: Location): KeydeskBridge {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  const pending = new Map<number, (envelope: Envelope<unknown>) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;

  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/bridge?token=${encodeURIComponent(token)}`);
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('closed')), { once: true });
  });
  const lost = (message: string): Envelope<unknown> => ({ ok: false, error: { code: 'NETWORK', message } });
  socket.addEventListener('close', () => {
    for (const resolve of pending.values()) resolve(lost('The connection to Keydesk was closed. Reload the page.'));
    pending.clear();
  });
  socket.addEventListener('message', (message) => {
    const data = JSON.parse(String(message.data)) as { id?: number; envelope?: Envelope<unknown>; event?: string; payload?: unknown };
    if (data.id !== undefined && data.envelope) {
      pending.get(data.id)?.(data.envelope);
      pending.delete(data.id);
    } else if (data.event) {
      for (const listener of listeners.get(data.event) ?? []) listener(data.payload);
    }
  });

  const invoke = async (channel: string, payload: unknown): Promise<Envelope<unknown>> => {
    try {
      await opened;
    } catch {
      return lost('Keydesk refused this page: open the exact URL that `npm run web` printed (it carries the access token).');
    }
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, channel, payload }));
    });
  };

  const bridge: Record<string, unknown> = {};
  for (const name of channelNames) {
    const [area, verb] = name.split(':');
    const group = (bridge[area] ??= {}) as Record<string, (args?: unknown) => Promise<Envelope<unknown>>>;
    // A page cannot learn where dropped files live: main answers that drops need the desktop app.
    group[verb] = name === 'dialogs:dropped' ? () => invoke(name, { paths: [] }) : (args?: unknown) => invoke(name, args);
  }
  bridge.on = (event: string, listener: (payload: unknown) => void) => {
    if (!(eventNames as readonly string[]).includes(event)) throw new Error(`Unknown event ${event}`);
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    set.add(listener);
    return () => set.delete(listener);
  };
  return bridge as unknown as KeydeskBridge;
}
