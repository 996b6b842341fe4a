import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { channelNames, EVENT_PREFIX, eventNames } from '../ipc/channel-names';

// One method per contract channel, grouped by area (`keydesk.credentials.add(...)`); no raw ipcRenderer.
const api: Record<string, unknown> = {};
for (const name of channelNames) {
  const [area, verb] = name.split(':');
  const group = (api[area] ??= {}) as Record<string, (args?: unknown) => Promise<unknown>>;
  group[verb] = (args?: unknown) => ipcRenderer.invoke(name, args);
}

api.on = (event: string, listener: (payload: unknown) => void) => {
  if (!(eventNames as readonly string[]).includes(event)) throw new Error(`Unknown event ${event}`);
  const channel = `${EVENT_PREFIX}${event}`;
  const wrapped = (_event: unknown, payload: unknown) => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => ipcRenderer.removeListener(channel, wrapped);
};

contextBridge.exposeInMainWorld('keydesk', api);

// Files dropped from the OS reach the page as File objects without paths (sandboxed renderers no longer
// see File.path), but uploads need paths. Only the preload can ask webUtils; it is renderer-local (no
// IPC, main learns nothing until the renderer asks for an upload), so it stays out of the IPC contract.
contextBridge.exposeInMainWorld('keydeskPathForFile', (file: File): string => webUtils.getPathForFile(file));
