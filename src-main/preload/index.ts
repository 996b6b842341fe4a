import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { channelNames, EVENT_PREFIX, eventNames } from '../ipc/channel-names';

// One method per contract channel, grouped by area (`keydesk.credentials.add(...)`); no raw ipcRenderer.
const api: Record<string, unknown> = {};
for (const name of channelNames) {
  const [area, verb] = name.split(':');
  const group = (api[area] ??= {}) as Record<string, (args?: unknown) => Promise<unknown>>;
  group[verb] = name === 'dialogs:dropped' ? (files?: unknown) => ipcRenderer.invoke(name, { paths: droppedPaths(files) }) : (args?: unknown) => ipcRenderer.invoke(name, args);
}

api.on = (event: string, listener: (payload: unknown) => void) => {
  if (!(eventNames as readonly string[]).includes(event)) throw new Error(`Unknown event ${event}`);
  const channel = `${EVENT_PREFIX}${event}`;
  const wrapped = (_event: unknown, payload: unknown) => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => ipcRenderer.removeListener(channel, wrapped);
};

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
