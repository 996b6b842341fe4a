import { log } from './redact';

/**
 * The last line of defence, for browser mode and the Electron main process: an error that escaped every
 * handler is logged (through the redacting logger, so no secret reaches the log) and Keydesk keeps
 * running, instead of exiting with transfers in flight. Every known cause is fixed where it starts; this
 * only keeps an unknown one from taking the user's work with it.
 */
export function keepRunningOnUnexpectedErrors(target: Pick<NodeJS.Process, 'on'> = process): void {
  target.on('uncaughtException', (error, origin) => log.warn(`Keydesk kept running after an unexpected error (${origin}); please report it: ${describe(error)}`));
  target.on('unhandledRejection', (reason) => log.warn(`Keydesk kept running after an unexpected error (unhandled rejection); please report it: ${describe(reason)}`));
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  try {
    return JSON.stringify(error) ?? typeof error;
  } catch {
    return typeof error;
  }
}
