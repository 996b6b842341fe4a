import type { BrowserWindow, Dialog, RenderProcessGoneDetails } from 'electron';
import { log } from '../core/redact';

/**
 * The window's renderer can crash or hang while main (transfers, rotations) carries on: both are told to
 * the person with what to do, never left as a blank or frozen window. Calls the page makes into a stuck
 * main end on the page's side (preload/call-guard).
 */
export function watchWindowHealth(window: BrowserWindow, options: { dialog: Pick<Dialog, 'showMessageBox'>; quit(): void }): void {
  const contents = window.webContents;
  const reload = () => {
    if (!window.isDestroyed()) contents.reload();
  };

  contents.on('render-process-gone', (_event, details: RenderProcessGoneDetails) => {
    log.warn(`Keydesk's window stopped: ${details.reason} (exit code ${details.exitCode}).`);
    if (details.reason === 'clean-exit' || window.isDestroyed()) return;
    void options.dialog
      .showMessageBox(window, {
        type: 'error',
        title: 'Keydesk',
        message: 'Keydesk’s window stopped unexpectedly.',
        detail: `Reason: ${details.reason}. Transfers and rotations keep running in the background: reload the window to see them again.`,
        buttons: ['Reload window', 'Quit Keydesk'],
        defaultId: 0,
        cancelId: 0,
      })
      .then(({ response }) => (response === 1 ? options.quit() : reload()))
      .catch(reload);
  });

  let unresponsive: AbortController | undefined;
  window.on('unresponsive', () => {
    if (unresponsive || window.isDestroyed()) return;
    log.warn("Keydesk's window stopped responding.");
    const question = (unresponsive = new AbortController());
    void options.dialog
      .showMessageBox(window, {
        type: 'warning',
        title: 'Keydesk',
        message: 'Keydesk’s window is not responding.',
        detail: 'It may be busy showing a very large listing. Wait, or reload the window: transfers and rotations keep running in the background.',
        buttons: ['Wait', 'Reload window'],
        defaultId: 0,
        cancelId: 0,
        signal: question.signal,
      })
      .then(({ response }) => {
        if (response === 1) reload();
      })
      .catch(() => undefined)
      .finally(() => {
        if (unresponsive === question) unresponsive = undefined;
      });
  });
  // Answering again closes the question by itself.
  window.on('responsive', () => {
    unresponsive?.abort();
    unresponsive = undefined;
  });

  contents.on('preload-error', (_event, path, error) => log.warn(`Keydesk's window could not load its preload (${path}): ${error.message}`));
}
