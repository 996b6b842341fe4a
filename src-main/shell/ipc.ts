import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { channelNames, EVENT_PREFIX } from '../ipc/channel-names';
import type { Handlers } from '../ipc/contract';
import { dispatch } from '../ipc/dispatch';
import type { EventBus } from '../ipc/events';

/** A request counts only from the app's own page in a window's main frame — never an iframe or other page. */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, isAppUrl: (url: string) => boolean): boolean {
  try {
    const frame = event.senderFrame;
    return !!frame && frame.parent === null && isAppUrl(frame.url);
  } catch {
    // A frame disposed (navigated away, renderer gone) while its request was in flight: Electron throws on access.
    return false;
  }
}

export function registerIpc(ipcMain: IpcMain, handlers: Handlers, isAppUrl: (url: string) => boolean): void {
  for (const name of channelNames) {
    ipcMain.handle(name, (event, payload: unknown) => {
      if (!isTrustedSender(event, isAppUrl)) {
        return { ok: false, error: { code: 'ACCESS_DENIED', message: 'Request refused: it did not come from the Keydesk window.' } };
      }
      return dispatch(handlers, name, payload);
    });
  }
}

/** Forwards main-process events to a window for as long as it lives. */
export function forwardEvents(bus: EventBus, contents: WebContents): void {
  const unsubscribe = bus.subscribe((event, payload) => {
    if (!contents.isDestroyed()) contents.send(`${EVENT_PREFIX}${event}`, payload);
  });
  contents.once('destroyed', unsubscribe);
}
