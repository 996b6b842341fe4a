import { z } from 'zod';
import { channel } from '../channel';

export interface AppInfo {
  version: string;
  mode: 'desktop' | 'browser';
  home: string;
  platform: string;
}

export interface VaultStatus {
  available: boolean;
  message?: string;
  hint?: string;
}

export const appChannels = {
  'app:info': channel<AppInfo>()(z.undefined()),
  /** The renderer's heartbeat: answered at once while main's event loop runs (ipc/call-guard.ts). */
  'app:ping': channel<true>()(z.undefined()),
  'vault:status': channel<VaultStatus>()(z.undefined()),
  /** Opens an https: URL in the user's browser (desktop) — the one way out of the app. */
  'app:openExternal': channel<void>()(z.strictObject({ url: z.string().max(2048) })),
};
