import type { z } from 'zod';
import type { BridgeState } from './call-guard';
import type { ChannelDef, Envelope } from './channel';
import { channelNames } from './channel-names';
import { accountChannels } from './channels/accounts';
import { appChannels, type AppNavigation } from './channels/app';
import { clipboardChannels } from './channels/clipboard';
import { bucketChannels } from './channels/buckets';
import { credentialChannels } from './channels/credentials';
import { keyChannels } from './channels/keys';
import { rotationChannels } from './channels/rotation';
import { leakChannels } from './channels/leak';
import { ecosystemChannels } from './channels/ecosystem';
import { objectChannels } from './channels/objects';
import { aclChannels } from './channels/acl';
import { bucketSettingsChannels } from './channels/bucket-settings';
import { propertyChannels } from './channels/object-properties';
import { previewChannels } from './channels/preview';
import { versionChannels } from './channels/versions';
import { plaintextChannels, type PlaintextProgress } from './channels/plaintext';
import { tlsChannels } from './channels/tls';
import { dialogChannels, transferChannels, type TransfersEvent } from './channels/transfers';
import type { RotationProgress } from '../core/rotation/engine';
import type { LeakProgress } from '../core/rotation/leak';
import type { RotationNotice } from '../core/rotation/notice-log';

// The types the renderer uses, so it imports them only from here (test/renderer/imports.test.ts).
// What crosses the wire, the link to main, and events' payloads.
export type { AppNavigation, BridgeState, Envelope, LeakProgress, PlaintextProgress, TransfersEvent };
export type { LossReason } from './call-guard';
export type { ListingStep } from './listings';
// Core types that channels carry.
export type { ErrorInfo } from '../core/errors';
export type { ImportCandidate, ImportPreview, ImportResult } from '../core/ecosystem/importer';
export type { RevealableSnippet, Snippets } from '../core/ecosystem/snippets';
export type { SourceKind } from '../core/ecosystem/sources';
export type { AccountField, BucketGrant, KeyOwner, NewAccessKey, ProviderCapabilities, ProviderDescriptor, RegionInfo, S3Location } from '../core/providers/adapter';
export type { EndpointPreset } from '../core/s3/endpoint-presets';
export type { KeyCheck } from '../core/vault/key-check';
export type { ChecksumMode } from '../core/vault/metadata-store';
// Per-area results and payloads of the channels.
export type { AccountSummary } from './channels/accounts';
export type { AccessList, AclGrant, KnownPrincipal } from './channels/acl';
export type { AppInfo, Place, VaultStatus } from './channels/app';
export type { BucketSettingsView, CorsRuleJson, LifecycleRuleJson, Setting, Tag, VersioningStatus } from './channels/bucket-settings';
export type { BucketSummary } from './channels/buckets';
export type { CredentialSummary } from './channels/credentials';
export type { KeyLimit, KeyList, ManagedKey, NewKeyResult, SavedCredentialRef } from './channels/keys';
export type { KeyLastUse, LeakPreview, LeakResult, LeakStep, LeakStop } from './channels/leak';
export type { ObjectProperties, PropertyChange } from './channels/object-properties';
export type { ListingPage, ShareLink } from './channels/objects';
export type { FixReport, ImportReport, PlaintextFinding, PlaintextReport, ScanFolder } from './channels/plaintext';
export type { PreviewStart } from './channels/preview';
export type { OldKeyChoice, PendingSummary, RotationNotice, RotationPreview, RotationResult, RotationStep } from './channels/rotation';
export type { CertificateProblem, CertificateReport, CertificateSummary, TrustChoice, TrustEntry } from './channels/tls';
export type { TransferItemSnapshot, TransferTotals } from './channels/transfers';
export type { SizeReport, VersionCount } from './channels/versions';

/**
 * The one IPC contract: `'area:verb'` → payload schema and result type. Main registers exactly these
 * channels, the preload exposes exactly these methods, the renderer calls them with these types.
 */
export const channels = {
  ...appChannels,
  ...clipboardChannels,
  ...credentialChannels,
  ...bucketChannels,
  ...accountChannels,
  ...keyChannels,
  ...rotationChannels,
  ...leakChannels,
  ...ecosystemChannels,
  ...plaintextChannels,
  ...objectChannels,
  ...versionChannels,
  ...propertyChannels,
  ...previewChannels,
  ...bucketSettingsChannels,
  ...aclChannels,
  ...transferChannels,
  ...dialogChannels,
  ...tlsChannels,
};

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type ChannelArgs<C extends ChannelName> = z.input<Channels[C]['input']>;
export type ChannelPayload<C extends ChannelName> = z.output<Channels[C]['input']>;
export type ChannelResult<C extends ChannelName> = Channels[C] extends ChannelDef<z.ZodType, infer R> ? R : never;

/** Main-side implementation of every channel. */
export type Handlers = { [C in ChannelName]: (payload: ChannelPayload<C>) => Promise<ChannelResult<C>> };

/** Events main pushes to the renderer; payloads are plain data. */
export interface Events {
  'credentials:changed': { ids: string[] };
  /** Key health changed, or a check of these credentials started or ended (not a change of the credentials). */
  'credentials:health': { ids: string[] };
  /** Provider accounts added or removed: the tray groups keys by account. */
  'accounts:changed': { ids: string[] };
  /** Each step of a running rotation, for progress in the UI and the tray. */
  'rotation:progress': RotationProgress;
  /** Each line of a running "Report leaked…", for its progress view and copyable log. */
  'leak:progress': LeakProgress;
  /** Old keys waiting to be revoked were added, changed or removed. */
  'rotation:pending': { ids: string[] };
  /**
   * A scheduled revocation happened, was refused (old key used after the switch) or failed, or recovery at
   * start has something to say: the tray notifies, windows list it (rotation:notices has the ones before).
   */
  'rotation:notice': RotationNotice;
  /** A notice was dismissed (in any window): every window drops it. */
  'rotation:noticeDismissed': { noticeId: string };
  /** Main asks the window to show a screen or a Help sheet (the tray's and the application menu's entries). */
  'app:navigate': AppNavigation;
  /**
   * Progress of a batch operation (empty bucket, delete, move, properties, sizes) started with an
   * operationId; `total` 0 = not known (sizes count as they go, with `bytes`).
   */
  'operations:progress': { operationId: string; done: number; total: number; bytes?: number };
  /** A running plain-text key scan: files read, folders searched, where it is now. */
  'plaintext:progress': PlaintextProgress;
  /** Transfer queue changes, batched and throttled. */
  'transfers:event': TransfersEvent;
}
export type EventName = keyof Events;

/**
 * Methods whose callers pass something other than the payload. Dropped files: a page cannot make a File
 * with a real path, and only the preload can learn a File's path, so main may grant the paths that arrive
 * on this channel — the page never names them itself.
 */
interface CallerArgs {
  'dialogs:dropped': [files: File[]];
}
type ArgList<C extends ChannelName> = C extends keyof CallerArgs
  ? CallerArgs[C]
  : undefined extends ChannelArgs<C>
    ? [args?: ChannelArgs<C>]
    : [args: ChannelArgs<C>];
type AreaOf<C> = C extends `${infer Area}:${string}` ? Area : never;

/** Methods grouped by area, e.g. `credentials.add(args)`; `R` wraps each result (Envelope in preload). */
export type ApiShape<Wrap extends 'envelope' | 'value'> = {
  [Area in AreaOf<ChannelName>]: {
    [C in ChannelName as C extends `${Area}:${infer Verb}` ? Verb : never]: (
      ...args: ArgList<C>
    ) => Promise<Wrap extends 'envelope' ? Envelope<ChannelResult<C>> : ChannelResult<C>>;
  };
} & {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
  /** The link to main (preload or WebSocket): called now and on every change; returns the unsubscribe. */
  onConnection(listener: (state: BridgeState) => void): () => void;
};

/** What the preload puts on `window.keydesk`. */
export type KeydeskBridge = ApiShape<'envelope'>;

// channel-names.ts is kept zod-free for the preload bundle; these two lines keep it equal to the map.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const namesMatchContract: Exact<(typeof channelNames)[number], ChannelName> = true;
void namesMatchContract;
