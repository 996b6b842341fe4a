import type { Envelope, KeydeskBridge, LossReason } from '../../../src-main/ipc/contract';
import { browserModeLoss, CallGuard, channelNames, eventNames, startHeartbeat } from '../../../src-main/ipc/shared';

/** An upgrade the server accepted at TCP level but never answers (a stopped process) is given up after this. */
const CONNECT_TIMEOUT_MS = 5_000;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 5_000;

/**
 * Browser mode: the same `keydesk` API as the preload, carried over a WebSocket to the Node services.
 * The token comes from the URL fragment the server printed (fragments never reach server logs).
 *
 * When the connection closes or main stops answering pings, every pending call ends with a clear error,
 * the page learns it through `onConnection`, and the bridge keeps trying the same URL in the background:
 * after a short interruption the same server takes the page back; a restarted one has a new token.
 */
export function createWebBridge(location: Location, Socket: typeof WebSocket = WebSocket): KeydeskBridge {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/bridge?token=${encodeURIComponent(token)}`;
  const guard = new CallGuard(browserModeLoss, { status: 'connecting' });
  const replies = new Map<number, (envelope: Envelope<unknown>) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let socket: WebSocket | undefined;
  let everOpened = false;
  let retryMs = RETRY_MIN_MS;
  let stopHeartbeat = () => {};
  let nextId = 1;
  let settleFirst: () => void = () => {};
  const firstAttempt = new Promise<void>((resolve) => (settleFirst = resolve));

  function connect(): void {
    const attempt = new Socket(url);
    socket = attempt;
    const giveUp = setTimeout(() => lose(attempt, everOpened ? 'stopped' : 'unreachable'), CONNECT_TIMEOUT_MS);
    attempt.addEventListener('open', () => {
      clearTimeout(giveUp);
      if (socket !== attempt) return attempt.close();
      everOpened = true;
      retryMs = RETRY_MIN_MS;
      guard.setState({ status: 'open' });
      settleFirst();
      stopHeartbeat = startHeartbeat(() => request(attempt, 'app:ping', undefined), { missed: () => lose(attempt, 'not-responding'), answered: () => {} });
    });
    attempt.addEventListener('message', (message) => {
      if (socket === attempt) receive(message.data);
    });
    // 'error' always comes with 'close'.
    attempt.addEventListener('close', () => {
      clearTimeout(giveUp);
      lose(attempt, everOpened ? 'stopped' : 'unreachable');
    });
  }

  /** Drops a connection (once): pending calls end with the reason, and a new attempt is scheduled. */
  function lose(attempt: WebSocket, reason: LossReason): void {
    if (socket !== attempt) return;
    socket = undefined;
    stopHeartbeat();
    try {
      attempt.close();
    } catch {
      // Already closing.
    }
    replies.clear();
    guard.setState({ status: 'lost', reason });
    settleFirst();
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  }

  function receive(data: unknown): void {
    let message: { id?: number; envelope?: Envelope<unknown>; event?: string; payload?: unknown };
    try {
      message = JSON.parse(String(data));
    } catch {
      return;
    }
    if (typeof message.id === 'number' && message.envelope) {
      replies.get(message.id)?.(message.envelope);
      replies.delete(message.id);
    } else if (typeof message.event === 'string') {
      for (const listener of listeners.get(message.event) ?? []) {
        try {
          listener(message.payload);
        } catch (error) {
          console.error(`Keydesk: a ${message.event} listener failed`, error);
        }
      }
    }
  }

  function request(attempt: WebSocket, channel: string, payload: unknown): Promise<Envelope<unknown>> {
    return new Promise((resolve, reject) => {
      if (attempt.readyState !== Socket.OPEN) return reject(new Error('not connected'));
      const id = nextId++;
      replies.set(id, resolve);
      attempt.send(JSON.stringify({ id, channel, payload }));
    });
  }

  const invoke = async (channel: string, payload: unknown): Promise<Envelope<unknown>> => {
    await firstAttempt;
    const send = () => (socket ? request(socket, channel, payload) : Promise.reject(new Error('not connected')));
    return guard.call(channel, () => send().catch((): Envelope<unknown> => ({ ok: false, error: browserModeLoss('stopped') })));
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
  bridge.onConnection = guard.onState.bind(guard);
  connect();
  return bridge as unknown as KeydeskBridge;
}
