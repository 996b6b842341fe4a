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

/** Screens a place can name; dialogs and transient states (a credential pointed at) are not places. */
export const PLACE_VIEWS = ['credentials', 'add-credential', 'import', 'plaintext', 'browse', 'accounts', 'add-account', 'keys'] as const;

/** Bucket names as S3 services accept them, old and odd ones included: no path, no control characters. */
const bucketName = z.string().min(1).max(255).regex(/^[^/\u0000-\u001f\u007f]+$/);

/**
 * Where the user was: the screen, and in Browse Buckets the credential, bucket and folder (the plain-text
 * scan of one saved key names it too). Kept in the
 * non-secret settings (desktop) and in the URL fragment (browser mode); read back from either, so both
 * are untrusted input: the renderer checks a place against what exists before showing it.
 */
export const placeSchema = z.strictObject({
  view: z.enum(PLACE_VIEWS),
  credentialId: z.uuid().optional(),
  bucket: bucketName.optional(),
  /** A folder: empty, or ending in "/". */
  prefix: z
    .string()
    .max(1024)
    .regex(/^(?:[^\u0000-\u001f\u007f]*\/)?$/)
    .optional(),
  accountId: z.uuid().optional(),
});
export type Place = z.infer<typeof placeSchema>;

/**
 * Main asks the window to show something: the tray's entries (Browse Buckets, Rotate now…, Report leaked…, Revoke now…,
 * Restore old key…), the application menu's screens and Help entries. Checked in the renderer as well,
 * like everything that arrives there.
 */
export const appNavigationSchema = z.discriminatedUnion('view', [
  z.strictObject({ view: z.literal('browse'), credentialId: z.uuid().optional() }),
  z.strictObject({ view: z.literal('rotate'), credentialId: z.uuid() }),
  z.strictObject({ view: z.literal('leak'), credentialId: z.uuid() }),
  z.strictObject({ view: z.literal('revocation'), revocationId: z.string().min(1).max(200), action: z.enum(['revoke', 'restore']) }),
  z.strictObject({ view: z.enum(['credentials', 'add-credential', 'import', 'accounts', 'add-account']) }),
  z.strictObject({ view: z.enum(['shortcuts', 'about']) }),
]);
export type AppNavigation = z.infer<typeof appNavigationSchema>;

export const appChannels = {
  'app:info': channel<AppInfo>()(z.undefined()),
  /** The renderer's heartbeat: answered at once while main's event loop runs (ipc/call-guard.ts). */
  'app:ping': channel<true>()(z.undefined()),
  'vault:status': channel<VaultStatus>()(z.undefined()),
  /** Opens an https: URL in the user's browser (desktop) — the one way out of the app. */
  'app:openExternal': channel<void>()(z.strictObject({ url: z.string().max(2048) })),
  /** The place the user was last, to open there again; null before the first. */
  'app:place': channel<Place | null>()(z.undefined()),
  'app:savePlace': channel<void>()(placeSchema),
};
