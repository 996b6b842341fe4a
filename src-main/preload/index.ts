import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { CallGuard, desktopLoss, startHeartbeat } from '../ipc/call-guard';
import type { Envelope } from '../ipc/channel';
import { channelNames, EVENT_PREFIX, eventNames } from '../ipc/channel-names';

// Every call ends: main's answer, a per-channel timeout, or — when main stops answering pings — a clear error.
const guard = new CallGuard(desktopLoss);
const invoke = (name: string, payload: unknown) => guard.call(name, () => ipcRenderer.invoke(name, payload) as Promise<Envelope<unknown>>);
startHeartbeat(() => ipcRenderer.invoke('app:ping'), {
  missed: () => guard.setState({ status: 'lost', reason: 'not-responding' }),
  answered: () => guard.setState({ status: 'open' }),
});

// One method per contract channel, grouped by area (`keydesk.credentials.add(...)`); no raw ipcRenderer.
const api: Record<string, unknown> = {};
for (const name of channelNames) {
  const [area, verb] = name.split(':');
  const group = (api[area] ??= {}) as Record<string, (args?: unknown) => Promise<unknown>>;
  group[verb] = name === 'dialogs:dropped' ? (files?: unknown) => invoke(name, { paths: droppedPaths(files) }) : (args?: unknown) => invoke(name, args);
}

api.on = (event: string, listener: (payload: unknown) => void) => {
  if (!(eventNames as readonly string[]).includes(event)) throw new Error(`Unknown event ${event}`);
  const channel = `${EVENT_PREFIX}${event}`;
  const wrapped = (_event: unknown, payload: unknown) => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => ipcRenderer.removeListener(channel, wrapped);
};
api.onConnection = (listener: Parameters<CallGuard['onState']>[0]) => guard.onState(listener);

contextBridge.exposeInMainWorld('keydesk', api);

/**
 * Main grants what the user drops, so the page passes File objects and never a path: only webUtils knows
 * where a dropped File lives. A File the page made itself has no path (''); anything else makes it throw.
 */
function droppedPaths(files: unknown): string[] {
  if (!Array.isArray(files)) return [];
  return files.flatMap((file: File) => {
    try {
      const path = webUtils.getPathForFile(file);
      return path ? [path] : [];
    } catch {
      return [];
    }
  });
}
