import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SecretClipboard } from '../core/secret-clipboard';
import { AccountService } from '../core/accounts/account-service';
import { PathGrants } from '../core/path-grants';
import { PlaintextFinder } from '../core/plaintext/finder';
import { keychainService } from '../core/paths';
import { clockFromEnv, type Clock } from '../core/clock';
import { log } from '../core/redact';
import { RotationEngine } from '../core/rotation/engine';
import { NoticeLog } from '../core/rotation/notice-log';
import { recoveryNotice } from '../core/rotation/recovery';
import { KeyActions } from '../core/rotation/key-actions';
import { LeakResponse } from '../core/rotation/leak';
import { RotationLocks } from '../core/rotation/locks';
import { RevocationService, type RevocationNotice } from '../core/rotation/revocations';
import { CredentialVault } from '../core/vault/credential-vault';
import { KeyHealthMonitor } from '../core/vault/key-health';
import { MetadataStore, openConfStore, type StoreBacking } from '../core/vault/metadata-store';
import { KeychainSecretStore, type SecretStore } from '../core/vault/secret-store';
import { TransferQueue } from '../core/transfers/queue';
import { envProxyResolver, setProxyResolver, type ProxyResolver } from '../core/transport/proxy';
import { EventBus } from './events';
import { OperationRegistry } from './operations';
import { forwardTransferEvents } from './transfer-events';

/** Everything the handlers need, built once by the Electron shell or by browser mode. */
export interface AppContext {
  mode: 'desktop' | 'browser';
  version: string;
  home: string;
  secrets: SecretStore;
  metadata: MetadataStore;
  vault: CredentialVault;
  /** Whether saved keys work; the shell and browser mode start() it and stop() it at quit. */
  health: KeyHealthMonitor;
  accounts: AccountService;
  events: EventBus;
  rotation: RotationEngine;
  /** "Report leaked…": stop a key, replace it and switch everything using it (journaled with the rotations). */
  leak: LeakResponse;
  /** The keys screen's regenerate and create, journaled with the rotations so a crash loses no key. */
  keyActions: KeyActions;
  /** Old keys in their grace period, and the scheduler that revokes them when due. */
  revocations: RevocationService;
  /** What rotation work told the user lately (revocations, recovery at start), for windows that come later. */
  notices: NoticeLog;
  /** Keydesk's time: the system clock, shifted only in test homes (KEYDESK_TEST_CLOCK_OFFSET_MS). */
  clock: Clock;
  /** How to run `credential-process` on this machine, for "Use in…" credential_process lines. */
  cliCommand: string;
  /** Directory for resumable-transfer and rotation journals. */
  stateDir: string;
  /** Opens an https: link in the user's browser (see core/links.ts). */
  openLink(url: string): Promise<void>;
  /** The system clipboard for secrets (desktop only; browser mode copies in the page). */
  clipboard?: SecretClipboard;
  /** Uploads and downloads; the shell calls resumePending() at start and shutdown() at quit. */
  transfers: TransferQueue;
  /** Cancellable batch operations (empty bucket, delete, move). */
  operations: OperationRegistry;
  /** Native file pickers: the desktop app only (browser mode asks for typed paths). */
  dialogs?: LocalDialogs;
  /** The local paths transfers may read and write: chosen by the user (desktop) or at start (browser mode). */
  pathGrants: PathGrants;
  /** Plain-text copies of keys on this machine: the last scan's findings, their fixes and imports. */
  plaintext: PlaintextFinder;
}

export interface LocalDialogs {
  openFiles(): Promise<string[]>;
  openFolder(): Promise<string | undefined>;
  chooseDirectory(): Promise<string | undefined>;
}

export interface AppContextOptions {
  mode: AppContext['mode'];
  version: string;
  home: string;
  defaultHome: string;
  openLink: AppContext['openLink'];
  clipboard?: SecretClipboard;
  /** electron-store in the desktop app, behind linkGuarded(); plain conf (same file, guarded the same way) otherwise. */
  store?: StoreBacking;
  secrets?: SecretStore;
  cliCommand: string;
  dialogs?: LocalDialogs;
  clock?: Clock;
  /** Which proxy a URL goes through: the system's in the desktop app; the proxy variables otherwise. */
  resolveProxy?: ProxyResolver;
}

export function createAppContext(options: AppContextOptions): AppContext {
  // One answer per process, as the system has one proxy configuration: every connection asks it.
  setProxyResolver(options.resolveProxy ?? envProxyResolver(process.env));
  const metadata = new MetadataStore(options.store ?? openConfStore(options.home));
  const secrets = options.secrets ?? new KeychainSecretStore(keychainService(options.home, options.defaultHome));
  const vault = new CredentialVault(metadata, secrets);
  const accounts = new AccountService(metadata, secrets);
  const events = new EventBus();
  const health = new KeyHealthMonitor(vault, metadata, { onChange: (ids) => events.emit('credentials:health', { ids }) });
  // After a rotation, regenerate or save the key a credential holds may be another: check it again.
  events.subscribe((event, payload) => {
    if (event === 'credentials:changed') health.keysChanged((payload as { ids: string[] }).ids);
  });
  const stateDir = join(options.home, 'state');
  const transfers = new TransferQueue({
    journalDir: join(stateDir, 'transfers'),
    resolveEndpoint: async (credentialId) => ({ connection: await vault.connection(credentialId), settings: vault.get(credentialId).transfer }),
  });
  forwardTransferEvents(transfers, events);
  const pathGrants = new PathGrants();
  const plaintext = new PlaintextFinder({
    vault,
    cliCommand: options.cliCommand,
    backupsDir: join(options.home, 'backups'),
    // Browser mode searches added folders only inside KEYDESK_WEB_PATHS, whatever was added before.
    scope: () => ({
      home: homedir(),
      env: process.env,
      folders: metadata.plaintextFolders().filter((folder) => options.mode === 'desktop' || pathGrants.allows(folder, 'read')),
    }),
  });
  const clock = options.clock ?? clockFromEnv(process.env, options.home !== options.defaultHome);
  const notices = new NoticeLog(clock);
  const rotationBase = { vault, secrets, accounts, stateDir, clock, locks: new RotationLocks(), onCredentialsChanged: (ids: string[]) => events.emit('credentials:changed', { ids }) };
  const revocations = new RevocationService({
    ...rotationBase,
    onChanged: (ids) => events.emit('rotation:pending', { ids }),
    onNotice: (notice) => tellUser({ events, notices }, notice),
  });
  // Rotation and leak responses added or dropped old keys waiting to be revoked: the scheduler looks again.
  const pendingChanged = (ids: string[]) => {
    events.emit('rotation:pending', { ids });
    revocations.reschedule();
  };
  return {
    mode: options.mode,
    version: options.version,
    home: options.home,
    secrets,
    metadata,
    vault,
    health,
    accounts,
    events,
    rotation: new RotationEngine({
      ...rotationBase,
      onProgress: (progress) => events.emit('rotation:progress', progress),
      onPendingChanged: pendingChanged,
    }),
    leak: new LeakResponse({
      ...rotationBase,
      onLeakProgress: (progress) => events.emit('leak:progress', progress),
      onPendingChanged: pendingChanged,
    }),
    keyActions: new KeyActions(rotationBase),
    revocations,
    notices,
    clock,
    stateDir,
    cliCommand: options.cliCommand,
    openLink: options.openLink,
    clipboard: options.clipboard,
    transfers,
    operations: new OperationRegistry(events),
    dialogs: options.dialogs,
    pathGrants,
    plaintext,
  };
}

/**
 * At start (desktop and browser mode alike): rotations, leak reports and the keys screen's regenerate and
 * create cut short by a crash or quit are settled (what the user must know becomes a notice), then old
 * keys whose grace period ran out while Keydesk was closed are revoked (after the use check), and the
 * scheduler keeps time from then on.
 */
export async function startRotationWork(ctx: AppContext): Promise<void> {
  const results = await ctx.rotation.recoverRotations().catch((error: unknown) => {
    log.warn(`Recovering rotations failed: ${(error as Error).message}`);
    return [];
  });
  for (const failed of results.filter((r) => r.outcome === 'failed')) log.warn(`Unfinished rotation ${failed.rotationId}: ${failed.error?.message ?? ''}`);
  for (const notice of results.map(recoveryNotice)) if (notice) tellUser(ctx, notice);
  await ctx.revocations.start().catch((error: unknown) => log.warn(`Starting the revocation scheduler failed: ${(error as Error).message}`));
}

/** A notice is kept for the window's list and sent as an event (the tray notifies, open windows show it). */
function tellUser(ctx: Pick<AppContext, 'events' | 'notices'>, notice: RevocationNotice): void {
  ctx.events.emit('rotation:notice', ctx.notices.add(notice));
}
