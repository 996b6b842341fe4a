import type { ErrorInfo } from '../core/errors';
import type { Envelope } from './channel';
import type { channelNames } from './channel-names';

/**
 * The renderer's side of every call to main (the preload in the desktop app, the WebSocket bridge in
 * browser mode): each call ends — with main's answer, a timeout, or a clear error when main is gone — and
 * a heartbeat tells "main is gone or stuck" apart from "main is still working on a long call". Plain
 * TypeScript without zod or Node, so both bundles can carry it.
 */

type ChannelName = (typeof channelNames)[number];

/** How the page's link to main is doing. `lost` lasts until main answers again. */
export type BridgeState = { status: 'connecting' } | { status: 'open' } | { status: 'lost'; reason: LossReason };
/** stopped: the connection closed; not-responding: no heartbeat answer; unreachable: never connected. */
export type LossReason = 'stopped' | 'not-responding' | 'unreachable';

/** Main answers a ping at once unless its event loop is stuck, so a missing answer means it is gone. */
export const HEARTBEAT_INTERVAL_MS = 4_000;
export const HEARTBEAT_TIMEOUT_MS = 10_000;

/**
 * Calls that wait on the person (native pickers) or may run for hours with their own progress and
 * Stop/Cancel (emptying a bucket, moving a folder, uploading a folder tree, rotation waiting for a new key
 * to work): the heartbeat alone bounds them, so slow work is never cut off while main is alive.
 */
const HEARTBEAT_ONLY: ReadonlySet<ChannelName> = new Set<ChannelName>([
  'dialogs:openFiles',
  'dialogs:openFolder',
  'dialogs:chooseDirectory',
  'plaintext:addFolder',
  'buckets:empty',
  'objects:count',
  'objects:delete',
  'objects:move',
  'transfers:uploadFolder',
  'transfers:download',
  'rotation:run',
  'leak:report',
]);
/** Answered from memory or local state: if these take longer, something is wrong. */
const LOCAL: ReadonlySet<ChannelName> = new Set<ChannelName>([
  'app:ping',
  'app:info',
  'app:openExternal',
  'app:place',
  'app:savePlace',
  'providers:list',
  'accounts:list',
  'credentials:list',
  'credentials:snippets',
  'objects:listCancel',
  'operations:cancel',
  'rotation:cancel',
  'leak:cancel',
  'rotation:due',
  'transfers:list',
  'transfers:cancel',
  'transfers:retry',
  'transfers:resolve',
  'transfers:clear',
  'dialogs:dropped',
  'plaintext:folders',
  'plaintext:removeFolder',
]);
const LOCAL_MS = 30_000;
/** Provider and S3 calls (which retry on their own) and the keychain (which may wait for an unlock prompt). */
const REMOTE_MS = 120_000;

/** How long a call may go unanswered; undefined where only the heartbeat bounds it. */
export function callTimeoutMs(channel: string): number | undefined {
  if (HEARTBEAT_ONLY.has(channel as ChannelName)) return undefined;
  return LOCAL.has(channel as ChannelName) ? LOCAL_MS : REMOTE_MS;
}

type Settle = (envelope: Envelope<unknown>) => void;

export class CallGuard {
  private state: BridgeState;
  private readonly pending = new Set<Settle>();
  private readonly listeners = new Set<(state: BridgeState) => void>();

  constructor(
    private readonly describeLoss: (reason: LossReason) => ErrorInfo,
    initial: BridgeState = { status: 'open' },
  ) {
    this.state = initial;
  }

  get current(): BridgeState {
    return this.state;
  }

  /** Calls `listener` now and on every change; returns the unsubscribe. */
  onState(listener: (state: BridgeState) => void): () => void {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  /** Moving to `lost` ends every pending call with the reason; a first loss reason stands until recovery. */
  setState(next: BridgeState): void {
    const previous = this.state;
    if (next.status === 'lost' && previous.status === 'lost') return;
    if (next.status === previous.status) return;
    this.state = next;
    if (next.status === 'lost') {
      const error = this.describeLoss(next.reason);
      for (const settle of [...this.pending]) settle({ ok: false, error });
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(next);
      } catch {
        // A listener of the page's own must not stop the others from learning the state.
      }
    }
  }

  /** Runs `send` unless main is known to be gone, and always settles: answer, timeout or loss. */
  call(channel: string, send: () => Promise<Envelope<unknown>>): Promise<Envelope<unknown>> {
    if (this.state.status === 'lost') return Promise.resolve({ ok: false, error: this.describeLoss(this.state.reason) });
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle: Settle = (envelope) => {
        if (!this.pending.delete(settle)) return;
        clearTimeout(timer);
        resolve(envelope);
      };
      this.pending.add(settle);
      const limit = callTimeoutMs(channel);
      if (limit !== undefined) timer = setTimeout(() => settle({ ok: false, error: timeoutError(limit) }), limit);
      send().then(settle, (error: unknown) =>
        settle({ ok: false, error: { code: 'INTERNAL', message: `Keydesk could not send this request: ${error instanceof Error ? error.message : 'unknown error'}.` } }),
      );
    });
  }
}

function timeoutError(limitMs: number): ErrorInfo {
  return {
    code: 'TIMEOUT',
    message: `Keydesk did not answer within ${limitMs / 1000} seconds.`,
    hint: 'It may still finish in the background: check the result before you try again.',
  };
}

/**
 * Pings main every interval; `missed` once nothing has answered for the timeout, `answered` on each
 * answer. A page whose timers were throttled or frozen (a background tab, a suspended laptop) starts
 * counting again instead of blaming main for its own sleep. Returns the stop function.
 */
export function startHeartbeat(ping: () => Promise<unknown>, on: { missed(): void; answered(): void }): () => void {
  let lastAnswer = Date.now();
  let lastTick = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    if (now - lastTick > 2 * HEARTBEAT_INTERVAL_MS) lastAnswer = now;
    lastTick = now;
    if (now - lastAnswer > HEARTBEAT_TIMEOUT_MS) on.missed();
    ping().then(
      () => {
        lastAnswer = Date.now();
        on.answered();
      },
      () => undefined,
    );
  }, HEARTBEAT_INTERVAL_MS);
  return () => clearInterval(timer);
}

const SILENT = `nothing for ${HEARTBEAT_TIMEOUT_MS / 1000} seconds`;

/** What a call answers while browser mode's server is gone, and what the page tells the person. */
export function browserModeLoss(reason: LossReason): ErrorInfo {
  switch (reason) {
    case 'not-responding':
      return {
        code: 'TIMEOUT',
        message: `Keydesk stopped answering (${SILENT}).`,
        hint: 'Wait a moment: this page reconnects by itself if Keydesk answers again. If it does not, stop it (Ctrl+C), start it again with “npm run web” and open the new URL it prints.',
      };
    case 'unreachable':
      return {
        code: 'NETWORK',
        message: 'This page cannot reach Keydesk: it is not running, or it did not accept this page’s access token.',
        hint: 'Open the exact URL that “npm run web” printed. If Keydesk is not running, start it with “npm run web” and open the new URL it prints.',
      };
    case 'stopped':
      return {
        code: 'NETWORK',
        message: 'Keydesk has stopped: this page lost its connection to it.',
        hint: 'Start it again with “npm run web” and open the new URL it prints: the access token changes on every start, so reloading this page is not enough.',
      };
  }
}

/** The desktop window cannot outlive its main process, so the only loss it sees is main not answering. */
export function desktopLoss(): ErrorInfo {
  return {
    code: 'TIMEOUT',
    message: `Keydesk’s background process stopped answering (${SILENT}).`,
    hint: 'Wait a moment: the window carries on by itself when it answers again. If it does not, quit Keydesk and start it again; running transfers resume where they stopped.',
  };
}
