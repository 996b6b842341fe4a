import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where Keydesk keeps non-secret data; `KEYDESK_HOME` overrides it so tests never touch real data. */
export function resolveHome(defaultDir = join(homedir(), '.config', 'Keydesk')): string {
  const override = process.env.KEYDESK_HOME;
  return override ? resolve(override) : defaultDir;
}

/** Keychain service for a home: the default home uses plain "Keydesk", any other home its own namespace. */
export function keychainService(home: string, defaultHome: string): string {
  return home === defaultHome ? 'Keydesk' : `Keydesk@${home}`;
}
