import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KeydeskError, toErrorInfo, type ErrorInfo } from '../errors';
import { listObjectsUnder } from '../s3/listing';
import { openSession, type S3Session } from '../s3/session';
import { folderPrefix } from '../s3/uri';
import type { S3Connection } from '../s3/client';
import { ensureFolderWithin, removeName } from '../safe-files';
import { SHUTDOWN, type RunContext, type RunOutcome, type TransferJob, type TransferStep } from './context';
import { folderError, runDownload } from './download';
import { JournalStore, type Finish, type ItemRecord, type Journal } from './journal';
import { localPathForKey, tempPathFor, walkFiles } from './local-files';
import { DEFAULT_RETRY, type RetryPolicy } from '../retry';
import { TokenBucket } from './bandwidth';
import { etaSeconds, RateMeter } from './speed';
import { abortUpload, runUpload } from './upload';
import type {
  ConflictDecision,
  DownloadFolderRequest,
  DownloadRequest,
  EndpointResolver,
  ItemProgress,
  TransferEvent,
  TransferItemSnapshot,
  TransferState,
  TransferTotals,
  UploadFolderRequest,
  UploadRequest,
} from './types';

export interface TransferQueueOptions {
  /** Where unfinished transfers keep their journals, e.g. <KEYDESK_HOME>/transfers. */
  journalDir: string;
  resolveEndpoint: EndpointResolver;
  /** Items running at once; many small files need many in flight to use the connection. */
  maxActiveItems?: number;
  /** Of those, items big enough to run parts in parallel themselves. */
  maxActiveLarge?: number;
  /** Items above this size count as large for scheduling. */
  largeItemBytes?: number;
  retry?: Partial<RetryPolicy>;
  /** A request whose connection moves no bytes for this long fails (and is retried); default 30 s. */
  stallTimeoutMs?: number;
  progressIntervalMs?: number;
  /**
   * Awaited at each step that changes what is on disk or on the server (after the step): lets crash tests
   * stop a process at an exact point, and could feed diagnostics. Not for anything that changes behaviour.
   */
  onStep?: (step: TransferStep, id: string) => void | Promise<void>;
}

/** What an item keeps beside its snapshot and on disk, but never shows the renderer. */
interface ItemInternals {
  /** From a folder listing: lets a download skip its HeadObject. */
  listed?: { size: number; etag: string };
  /** Downloads: the random part of the temp file's name. */
  token?: string;
  /** Downloads: the folder the user chose. */
  root?: string;
  /** How the item was about to end when last run (see journal.ts). */
  finish?: Finish;
}

interface Item extends ItemInternals {
  snapshot: TransferItemSnapshot;
  /** Its record on disk: an item starts only once a restart would find it. */
  recorded?: Promise<void>;
  controller?: AbortController;
  running?: Promise<void>;
  meter: RateMeter;
  /** Bytes moved since the last progress event. */
  dirty: boolean;
}

const FINISHED: ReadonlySet<TransferState> = new Set(['done', 'failed', 'cancelled', 'skipped']);
const WAITING: ReadonlySet<TransferState> = new Set(['conflict', 'interrupted', ...FINISHED]);
/** Final states whose item record is deleted; a failed item keeps its record until cleared. */
const DROPPED: ReadonlySet<TransferState> = new Set(['done', 'skipped', 'cancelled']);

type NewItemFields = Omit<TransferItemSnapshot, 'id' | 'state' | 'bytesDone' | 'bytesPerSecond' | 'createdAt'> & { id?: string; createdAt?: string };

/**
 * The main-process transfer list: uploads and downloads with progress, cancel, retry, conflict decisions
 * and resume after restart. It is UI-agnostic: subscribe() delivers JSON-serialisable events, and every
 * method takes and returns plain data, so IPC can forward both as they are.
 */
export class TransferQueue {
  private readonly items = new Map<string, Item>();
  private readonly listeners = new Set<(event: TransferEvent) => void>();
  private readonly journal: JournalStore;
  private readonly sessions = new Map<string, S3Session>();
  private readonly retryPolicy: RetryPolicy;
  /** Every byte of every item, on the same ticks as the items' meters (see speed.ts). */
  private totalMeter = new RateMeter();
  /** Per credential: its bandwidth limit, shared by all of its transfers. */
  private readonly limiters = new Map<string, TokenBucket>();
  private readonly waiters = new Set<() => void>();
  /** Items by state for the states scheduling asks about on every change (a scan of all items was O(n²) for big folders). */
  private readonly queued = new Set<Item>();
  private readonly running = new Set<Item>();
  /** Ended, their end being written to disk before it is reported: no longer holding a running slot. */
  private readonly ending = new Set<Item>();
  private readonly checkedFolders = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: TransferQueueOptions) {
    this.journal = new JournalStore(options.journalDir);
    this.retryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  }

  subscribe(listener: (event: TransferEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): TransferItemSnapshot[] {
    return [...this.items.values()].map((item) => this.view(item));
  }

  get(id: string): TransferItemSnapshot {
    return this.view(this.item(id));
  }

  async addUpload(request: UploadRequest, groupId?: string): Promise<TransferItemSnapshot> {
    const size = await fileSize(request.file);
    return this.add({ kind: 'upload', credentialId: request.credentialId, bucket: request.bucket, key: request.key, localPath: request.file, conflictPolicy: request.conflict ?? 'overwrite', bytesTotal: size, groupId });
  }

  /** Every file under the folder becomes one item, keyed `prefix + relative path`, grouped under one groupId. */
  async addUploadFolder(request: UploadFolderRequest): Promise<TransferItemSnapshot[]> {
    const groupId = randomUUID();
    const prefix = folderPrefix(request.prefix);
    const added: TransferItemSnapshot[] = [];
    for await (const file of walkFiles(request.folder)) {
      added.push(await this.addUpload({ credentialId: request.credentialId, bucket: request.bucket, key: prefix + file.relative, file: file.path, conflict: request.conflict }, groupId));
    }
    return added;
  }

  async addDownload(request: DownloadRequest, groupId?: string): Promise<TransferItemSnapshot> {
    const listed = request.size !== undefined && request.etag ? { size: request.size, etag: request.etag } : undefined;
    return this.add(
      { kind: 'download', credentialId: request.credentialId, bucket: request.bucket, key: request.key, versionId: request.versionId, localPath: request.target, conflictPolicy: request.conflict ?? 'ask', bytesTotal: request.size ?? 0, groupId },
      { listed, token: newToken(), root: request.root ?? dirname(request.target) },
    );
  }

  /** Every object under the prefix becomes one item; folder marker objects become local folders. */
  async addDownloadFolder(request: DownloadFolderRequest, signal?: AbortSignal): Promise<TransferItemSnapshot[]> {
    const groupId = randomUUID();
    const prefix = folderPrefix(request.prefix);
    const root = request.root ?? request.targetDir;
    const session = await this.session(request.credentialId);
    const added: TransferItemSnapshot[] = [];
    for await (const page of listObjectsUnder(session, request.bucket, prefix, signal, this.retryPolicy)) {
      for (const object of page) {
        const relative = object.key.slice(prefix.length);
        if (relative === '' || relative.endsWith('/')) {
          if (relative !== '') {
            const folder = localPathForKey(request.targetDir, relative);
            await ensureFolderWithin(root, folder).catch((error: unknown) => {
              throw folderError(folder, error);
            });
          }
          continue;
        }
        const target = localPathForKey(request.targetDir, relative);
        added.push(await this.addDownload({ credentialId: request.credentialId, bucket: request.bucket, key: object.key, target, conflict: request.conflict, size: object.size, etag: object.etag, root }, groupId));
      }
    }
    return added;
  }

  /** Stops an item; its multipart upload is aborted / its temp file deleted, so nothing half-done remains. */
  async cancel(id: string): Promise<void> {
    const item = this.item(id);
    if (FINISHED.has(item.snapshot.state)) return;
    if (item.controller && item.snapshot.state === 'running') {
      item.controller.abort();
      await item.running;
      return;
    }
    await this.journal.removeItem(id).catch(() => {});
    await this.discardJournal(item);
    this.setState(item, 'cancelled');
  }

  /** Runs a failed, cancelled or interrupted item again (a journaled upload continues where it stopped). */
  retry(id: string): void {
    const item = this.item(id);
    if (!['failed', 'cancelled', 'interrupted'].includes(item.snapshot.state)) return;
    item.snapshot.error = undefined;
    // The listing may be what went stale: ask the server again.
    item.listed = undefined;
    this.setState(item, 'queued');
    item.recorded = this.persist(item).catch(() => {});
    this.pump();
  }

  /** Answers an item waiting in state 'conflict'. */
  resolveConflict(id: string, decision: ConflictDecision): void {
    const item = this.item(id);
    if (item.snapshot.state !== 'conflict') {
      throw new KeydeskError({ code: 'CONFLICT', message: 'That transfer is not waiting for a decision any more.' });
    }
    item.snapshot.conflictPolicy = decision;
    this.setState(item, 'queued');
    item.recorded = this.persist(item).catch(() => {});
    this.pump();
  }

  /** Removes finished items (done, failed, cancelled, skipped) from the list. */
  clear(): string[] {
    const ids = [...this.items.values()].filter((i) => FINISHED.has(i.snapshot.state)).map((i) => i.snapshot.id);
    for (const id of ids) {
      this.items.delete(id);
      void this.journal.removeItem(id).catch(() => {});
    }
    if (ids.length > 0) this.emit({ type: 'removed', ids });
    return ids;
  }

  totals(): TransferTotals {
    const counts = { queued: 0, running: 0, conflict: 0, done: 0, failed: 0, cancelled: 0, skipped: 0, interrupted: 0 } satisfies Record<TransferState, number>;
    let bytesDone = 0;
    let bytesTotal = 0;
    for (const { snapshot } of this.items.values()) {
      counts[snapshot.state]++;
      if (snapshot.state === 'cancelled' || snapshot.state === 'skipped') continue;
      bytesDone += snapshot.bytesDone;
      bytesTotal += Math.max(snapshot.bytesTotal, snapshot.bytesDone);
    }
    const bytesPerSecond = this.running.size > 0 ? this.totalMeter.bytesPerSecond : 0;
    return { bytesDone, bytesTotal, bytesPerSecond, etaSeconds: etaSeconds(bytesTotal - bytesDone, bytesPerSecond), counts };
  }

  /**
   * Brings back the list a restart (or a shutdown()) left: every unfinished item is queued again, failed
   * ones are listed as failed. An item with a journal continues where it stopped; any other starts from
   * the beginning (a download still writes to a temp file, an upload sends the file as it is now).
   * Returns the items added.
   */
  async resumePending(): Promise<TransferItemSnapshot[]> {
    const [records, journals] = await Promise.all([this.journal.loadItems(), this.journal.loadAll()]);
    const unlisted = new Map(journals.map((entry) => [entry.id, entry]));
    const resumed: TransferItemSnapshot[] = [];
    // Oldest first, so the queue keeps its order.
    for (const record of records.sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
      const entry = unlisted.get(record.id);
      unlisted.delete(record.id);
      if (this.items.has(record.id)) continue;
      const internals: ItemInternals = { token: record.token ?? legacyToken(record), root: record.root, finish: record.finish };
      resumed.push(this.add({ ...fieldsOfRecord(record), ...(entry && fieldsOfJournal(entry)) }, { ...internals, restored: { error: record.error, finishedAt: record.finishedAt } }));
    }
    // Journals without a record were written by a version that kept no item records.
    for (const entry of unlisted.values()) {
      if (this.items.has(entry.id)) continue;
      const fields: NewItemFields = { ...fieldsOfJournal(entry), kind: entry.kind, credentialId: entry.credentialId, bucket: entry.bucket, conflictPolicy: entry.conflict, groupId: entry.groupId, createdAt: entry.createdAt };
      resumed.push(this.add(fields, { token: legacyToken(entry), restored: {} }));
    }
    return resumed;
  }

  /** Resolves when nothing is queued or running (items may still wait in 'conflict'). */
  whenIdle(): Promise<void> {
    return this.until(() => this.queued.size === 0 && this.running.size === 0 && this.ending.size === 0);
  }

  /** Resolves with the item once it stops running: finished, or waiting for a conflict decision. */
  async wait(id: string): Promise<TransferItemSnapshot> {
    await this.until(() => WAITING.has(this.item(id).snapshot.state));
    return this.get(id);
  }

  /**
   * For app quit: stops every running item without cleaning up, so their journals, multipart uploads and
   * temp files let resumePending() continue them next start. Queued and running items end 'interrupted';
   * their item records (all written before this resolves) bring them back next start.
   */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const item of [...this.queued]) this.setState(item, 'interrupted');
    const running = [...this.running];
    for (const item of running) item.controller?.abort(SHUTDOWN);
    await Promise.all([...running, ...this.ending].map((i) => i.running));
    this.stopTimer();
    await this.journal.flush();
  }

  /** `restored`: from resumePending(), whose records are on disk already; with an error the item is listed as failed. */
  private add(fields: NewItemFields, options: ItemInternals & { restored?: { error?: ErrorInfo; finishedAt?: string } } = {}): TransferItemSnapshot {
    const { restored, ...internals } = options;
    if (this.closed) throw new KeydeskError({ code: 'CONFLICT', message: 'Transfers are shutting down; try again after restarting Keydesk.' });
    const failed = restored?.error !== undefined;
    const item: Item = {
      snapshot: {
        ...fields,
        id: fields.id ?? randomUUID(),
        state: failed ? 'failed' : 'queued',
        bytesDone: 0,
        bytesPerSecond: 0,
        createdAt: fields.createdAt ?? new Date().toISOString(),
        ...(failed && { error: restored.error, finishedAt: restored.finishedAt }),
      },
      meter: new RateMeter(),
      dirty: false,
      ...internals,
    };
    this.items.set(item.snapshot.id, item);
    if (!failed) this.queued.add(item);
    if (!restored) item.recorded = this.persist(item).catch(() => {});
    this.emit({ type: 'item', item: this.view(item) });
    this.pump();
    return this.view(item);
  }

  private pump(): void {
    if (this.closed) return;
    const max = this.options.maxActiveItems ?? 16;
    const maxLarge = this.options.maxActiveLarge ?? 2;
    const large = this.options.largeItemBytes ?? 32 * 1024 * 1024;
    // Size 0 means unknown (a download added without a size): scheduled as large to be safe.
    const isLarge = (s: TransferItemSnapshot) => s.bytesTotal === 0 || s.bytesTotal > large;
    let active = this.running.size;
    let activeLarge = 0;
    for (const item of this.running) if (isLarge(item.snapshot)) activeLarge++;
    // start() moves the item out of `queued`: deleting the current entry is safe while iterating a Set.
    for (const item of this.queued) {
      if (active >= max) break;
      if (isLarge(item.snapshot)) {
        if (activeLarge >= maxLarge) continue;
        activeLarge++;
      }
      active++;
      this.start(item);
    }
  }

  private start(item: Item): void {
    const controller = new AbortController();
    item.controller = controller;
    item.snapshot.bytesDone = 0;
    item.meter = new RateMeter();
    this.setState(item, 'running');
    this.startTimer();
    item.running = this.execute(item, controller.signal).finally(() => {
      item.controller = undefined;
      this.pump();
      this.notify();
    });
  }

  private async execute(item: Item, signal: AbortSignal): Promise<void> {
    const s = item.snapshot;
    const step = async (name: TransferStep) => {
      await this.options.onStep?.(name, s.id);
    };
    let state: TransferState;
    try {
      // Best effort (errors dropped where it is set): a record that cannot be written costs the item its place
      // after a restart, not its transfer.
      await item.recorded;
      await step('recorded');
      const endpoint = await this.options.resolveEndpoint(s.credentialId);
      const ctx: RunContext = {
        session: this.sessionFor(endpoint.connection),
        settings: endpoint.settings,
        throttle: this.limiter(s.credentialId, endpoint.settings.bandwidthLimitKiBps),
        retry: this.retryPolicy,
        journal: this.journal,
        signal,
        onBytes: (delta) => {
          s.bytesDone += delta;
          item.meter.add(delta);
          this.totalMeter.add(delta);
          item.dirty = true;
        },
        onSize: (bytes) => {
          s.bytesTotal = bytes;
        },
        // Unlike the item's first record, this one must be on disk before the transfer may complete.
        finishing: async (finish) => {
          item.finish = finish;
          await this.persist(item);
          await step('final-recorded');
        },
        step,
        checkedFolders: this.checkedFolders,
      };
      // A folder download of a whole tree checks each folder once; past this many, checking starts afresh.
      if (this.checkedFolders.size > 10_000) this.checkedFolders.clear();
      const job: TransferJob = { id: s.id, credentialId: s.credentialId, bucket: s.bucket, key: s.key, versionId: s.versionId, conflict: s.conflictPolicy, groupId: s.groupId, createdAt: s.createdAt };
      const { finish } = item;
      const outcome: RunOutcome =
        s.kind === 'upload'
          ? await runUpload({ ...job, file: s.localPath, finish: finish && 'etag' in finish ? finish : undefined }, ctx)
          : await runDownload(
              { ...job, target: s.localPath, listed: item.listed, token: (item.token ??= newToken()), root: item.root ?? dirname(s.localPath), finish: finish && 'file' in finish ? finish : undefined },
              ctx,
            );
      if (outcome.state === 'done') {
        s.key = outcome.key;
        s.localPath = outcome.localPath;
      }
      state = outcome.state;
    } catch (error) {
      if (signal.aborted) {
        state = signal.reason === SHUTDOWN ? 'interrupted' : 'cancelled';
      } else {
        s.error = toErrorInfo(asKeydeskError(error, s));
        state = 'failed';
      }
    }
    if (DROPPED.has(state)) {
      // Reported only once a restart would not bring the item back (a done one's Finish record proves it
      // done in between; a cancelled one must not start again). Its slot goes to the next item meanwhile.
      this.running.delete(item);
      this.ending.add(item);
      this.pump();
      await this.journal.removeItem(s.id).catch(() => {});
      if (state === 'done') await step('done-recorded');
      this.ending.delete(item);
    }
    if (state === 'failed') {
      s.finishedAt = new Date().toISOString();
      void this.persist(item).catch(() => {});
    }
    this.setState(item, state);
  }

  /** Records the item for a restart; resolves once the record is on disk (shutdown() waits for all of them). */
  private persist(item: Item): Promise<void> {
    const s = item.snapshot;
    const record: ItemRecord = {
      id: s.id,
      kind: s.kind,
      credentialId: s.credentialId,
      bucket: s.bucket,
      key: s.key,
      localPath: s.localPath,
      conflict: s.conflictPolicy,
      groupId: s.groupId,
      versionId: s.versionId,
      // A download's 0 means not known yet.
      size: s.kind === 'upload' || s.bytesTotal > 0 ? s.bytesTotal : undefined,
      createdAt: s.createdAt,
      error: s.error,
      finishedAt: s.error && s.finishedAt,
      token: item.token,
      root: item.root,
      finish: item.finish,
    };
    return this.journal.saveItem(record);
  }

  private setState(item: Item, state: TransferState): void {
    this.queued.delete(item);
    this.running.delete(item);
    if (state === 'queued') this.queued.add(item);
    else if (state === 'running') this.running.add(item);
    item.snapshot.state = state;
    // Kept when set already: a failed item's record holds the time it failed.
    if (FINISHED.has(state)) item.snapshot.finishedAt ??= new Date().toISOString();
    else item.snapshot.finishedAt = undefined;
    this.emit({ type: 'item', item: this.view(item) });
    this.notify();
  }

  private view(item: Item): TransferItemSnapshot {
    const s = item.snapshot;
    const running = s.state === 'running';
    const bytesPerSecond = running ? item.meter.bytesPerSecond : 0;
    return { ...s, bytesPerSecond, etaSeconds: running ? etaSeconds(s.bytesTotal - s.bytesDone, bytesPerSecond) : undefined };
  }

  /**
   * Sets a credential's bandwidth limit (KiB/s; 0 or undefined: none) for its transfers running now and
   * later. Items also pick up the saved limit when they start.
   */
  setBandwidthLimit(credentialId: string, kibPerSecond: number | undefined): void {
    this.limiter(credentialId, kibPerSecond);
  }

  /** Always a bucket (at rate 0 it lets everything through at once), so a limit set later reaches transfers already running. */
  private limiter(credentialId: string, kibPerSecond: number | undefined): TokenBucket {
    const rate = (kibPerSecond ?? 0) * 1024;
    let bucket = this.limiters.get(credentialId);
    if (bucket) bucket.setRate(rate);
    else {
      bucket = new TokenBucket(rate);
      this.limiters.set(credentialId, bucket);
    }
    return bucket;
  }

  private startTimer(): void {
    if (this.timer) return;
    // Speeds start afresh after a pause, like the items' (so one transfer's row and the total agree).
    this.totalMeter = new RateMeter();
    this.timer = setInterval(() => this.tick(), this.options.progressIntervalMs ?? 250);
    this.timer.unref();
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const changed: ItemProgress[] = [];
    const now = Date.now();
    for (const item of this.running) item.meter.tick(now);
    this.totalMeter.tick(now);
    for (const item of this.items.values()) {
      if (!item.dirty) continue;
      item.dirty = false;
      const { id, bytesDone, bytesPerSecond, etaSeconds } = this.view(item);
      changed.push({ id, bytesDone, bytesPerSecond, etaSeconds });
    }
    if (changed.length > 0) this.emit({ type: 'progress', items: changed, total: this.totals() });
    if (this.running.size === 0) this.stopTimer();
  }

  private emit(event: TransferEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private item(id: string): Item {
    const item = this.items.get(id);
    if (!item) throw new KeydeskError({ code: 'NOT_FOUND', message: 'That transfer is no longer in the list.' });
    return item;
  }

  private async session(credentialId: string): Promise<S3Session> {
    return this.sessionFor((await this.options.resolveEndpoint(credentialId)).connection);
  }

  /**
   * One client per key and endpoint, so its keep-alive connection pool is shared by all items. The secret
   * (hashed) is part of the identity: a secret regenerated for the same key ID needs a new client; so is
   * the endpoint's trust: a certificate pinned again must apply to the next transfer.
   */
  private sessionFor(connection: S3Connection): S3Session {
    const secret = createHash('sha256').update(connection.secretAccessKey).digest('hex');
    const trust = (connection.trust ?? []).map((entry) => `${entry.kind} ${entry.host} ${entry.sha256}`).join(',');
    const id = [connection.endpoint, connection.region, connection.accessKeyId, secret, connection.checksums, connection.forcePathStyle, trust].join('\n');
    let session = this.sessions.get(id);
    if (!session) {
      // Retries happen per part in the engine (with backoff that knows about cancel), not inside the SDK.
      // Both timers count time without a byte, not the request's length. Bytes (object-requests.ts) get the
      // stall timer; the SDK's bookkeeping requests twice that (completing an upload is work for the server).
      const stall = this.options.stallTimeoutMs ?? 30_000;
      session = openSession(connection, { maxAttempts: 1, timeoutMs: 2 * stall, stallTimeoutMs: stall });
      this.sessions.set(id, session);
    }
    return session;
  }

  /** A cancelled item that was resumed but not yet restarted may still own a multipart upload or temp file. */
  private async discardJournal(item: Item): Promise<void> {
    const { id, credentialId, kind, localPath } = item.snapshot;
    if (kind === 'download' && item.token) await removeName(tempPathFor(localPath, item.token)).catch(() => {});
    const entry: Journal | undefined = await this.journal.load(id);
    if (!entry) return;
    if (entry.kind === 'upload') await abortUpload(await this.session(credentialId), entry);
    else await removeName(entry.temp).catch(() => {});
    await this.journal.remove(id);
  }
}

function fieldsOfRecord(record: ItemRecord): NewItemFields {
  const { id, kind, credentialId, bucket, key, versionId, localPath, conflict, groupId, size, createdAt } = record;
  return { id, kind, credentialId, bucket, key, versionId, localPath, conflictPolicy: conflict, groupId, bytesTotal: size ?? 0, createdAt };
}

/** What a journal knows better than a record: the key or path chosen at start (keep-both) and the size. */
function fieldsOfJournal(entry: Journal): Pick<NewItemFields, 'id' | 'key' | 'localPath' | 'bytesTotal' | 'versionId'> {
  return entry.kind === 'upload'
    ? { id: entry.id, key: entry.key, localPath: entry.file, bytesTotal: entry.fileSize }
    : { id: entry.id, key: entry.key, localPath: entry.target, bytesTotal: entry.size, versionId: entry.versionId };
}

/** The random part of a download's temp file name. */
function newToken(): string {
  return randomBytes(8).toString('hex');
}

/** Items recorded by a version without tokens: the item's own random ID gives the same name on every run. */
function legacyToken(entry: { id: string; kind: string }): string | undefined {
  return entry.kind === 'download' ? entry.id.replaceAll('-', '').slice(0, 16) : undefined;
}

async function fileSize(file: string): Promise<number> {
  try {
    const stats = await stat(file);
    if (!stats.isFile()) throw new Error('not a regular file; use a folder upload for folders');
    return stats.size;
  } catch (error) {
    throw new KeydeskError({ code: 'NOT_FOUND', message: `The file ${file} cannot be read (${(error as Error).message}).` }, { cause: error });
  }
}

/** Local file-system failures arrive as plain Node errors; they get a sentence naming the transfer. */
function asKeydeskError(error: unknown, item: TransferItemSnapshot): KeydeskError {
  if (error instanceof KeydeskError) return error;
  const what = item.kind === 'upload' ? `Uploading ${item.localPath}` : `Downloading ${item.key} to ${item.localPath}`;
  return new KeydeskError({ code: 'INTERNAL', message: `${what} failed: ${(error as Error).message ?? String(error)}.` }, { cause: error });
}
