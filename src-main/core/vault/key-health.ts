import { sleep } from '../cancel';
import { isKeydeskError, toErrorInfo } from '../errors';
import { log } from '../redact';
import type { CredentialVault } from './credential-vault';
import { failureReason, type KeyCheck } from './key-check';
import { endpointIdentity } from './key-identity';
import type { CredentialRecord, KeyHealth, MetadataStore } from './metadata-store';

export interface KeyHealthOptions {
  /** Told which credentials' health changed or started/stopped being checked. */
  onChange(ids: string[]): void;
  /** A working key is checked again in the background once its last check is this old. */
  maxAgeMs?: number;
  /** A failing key is checked again sooner, so its recovery shows. */
  failingMaxAgeMs?: number;
  /** The first background pass waits for start-up work to settle. */
  startDelayMs?: number;
  /** How often the background looks for keys due a check. */
  sweepEveryMs?: number;
  /** Gap between two background checks. */
  staggerMs?: number;
  /** Checks at once, across all services; each service gets one at a time. */
  concurrency?: number;
  /** Per check request. */
  timeoutMs?: number;
}

const HOUR = 60 * 60 * 1000;

/**
 * Key health: whether each saved key still works, by one ListBuckets per check, kept as non-secret
 * metadata ("verified 5 min ago", "failing since …: revoked or unknown key"). Keys are checked in the
 * background (at start and then as their last check ages, spaced apart), after every change of a
 * credential (rotation, regenerate, a new save) and on "Check now". Never more than `concurrency`
 * checks at once and one at a time per service, so no provider is hammered; stop() cancels everything.
 */
export class KeyHealthMonitor {
  private readonly options: Required<Omit<KeyHealthOptions, 'onChange'>> & Pick<KeyHealthOptions, 'onChange'>;
  private readonly stopping = new AbortController();
  /** A check wanted that starts after the request: a change may postdate a check already running. */
  private readonly wanted = new Set<string>();
  private readonly loops = new Map<string, Promise<void>>();
  private readonly serviceTails = new Map<string, Promise<void>>();
  private readonly waitingForSlot: (() => void)[] = [];
  private active = 0;
  private started = false;
  private sweeping = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private keychainWarned = false;

  constructor(
    private readonly vault: CredentialVault,
    private readonly metadata: MetadataStore,
    options: KeyHealthOptions,
  ) {
    this.options = {
      maxAgeMs: 6 * HOUR,
      failingMaxAgeMs: HOUR,
      startDelayMs: 20_000,
      sweepEveryMs: 10 * 60 * 1000,
      staggerMs: 3_000,
      concurrency: 3,
      timeoutMs: 10_000,
      ...options,
    };
  }

  /** Background checks: a first pass soon after start, then periodic passes for keys due. */
  start(): void {
    if (this.started || this.stopping.signal.aborted) return;
    this.started = true;
    const first = setTimeout(() => void this.sweep(), this.options.startDelayMs);
    const every = setInterval(() => void this.sweep(), this.options.sweepEveryMs);
    first.unref?.();
    every.unref?.();
    this.timers.push(first, every);
  }

  /** At quit: running checks are cancelled, none starts again. */
  stop(): void {
    this.stopping.abort();
    for (const timer of this.timers) clearTimeout(timer);
  }

  isChecking(id: string): boolean {
    return this.loops.has(id);
  }

  /** "Check now": resolves once each key has had a check that started after this call. */
  async checkNow(ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.check(id)));
  }

  /**
   * Credentials changed: those holding a key or secret their last check did not see (rotation,
   * regenerate, a new save) are checked again, once running. A new label or setting needs no request.
   */
  keysChanged(ids: string[]): void {
    if (!this.started) return;
    const changed = this.vault.list().filter((record) => ids.includes(record.id) && this.uncheckedKey(record));
    void this.checkNow(changed.map((record) => record.id));
  }

  private uncheckedKey(record: CredentialRecord): boolean {
    const health = this.metadata.health(record.id);
    if (!health || health.accessKeyId !== record.accessKeyId) return true;
    const checkedAt = Date.parse(health.checkedAt);
    return [record.createdAt, record.rotatedAt].some((at) => at !== undefined && Date.parse(at) >= checkedAt);
  }

  /** One background pass: keys never checked, checked for another key, or whose last check has aged. */
  async sweep(now = Date.now()): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      for (const record of this.vault.list().filter((c) => this.isDue(c, now))) {
        if (this.loops.has(record.id)) continue;
        void this.check(record.id);
        await sleep(this.options.staggerMs, this.stopping.signal);
      }
    } catch {
      // Stopped.
    } finally {
      this.sweeping = false;
    }
  }

  private isDue(record: CredentialRecord, now: number): boolean {
    const health = this.metadata.health(record.id);
    if (!health || health.accessKeyId !== record.accessKeyId) return true;
    const maxAge = health.failingSince ? this.options.failingMaxAgeMs : this.options.maxAgeMs;
    return now - Date.parse(health.checkedAt) >= maxAge;
  }

  private check(id: string): Promise<void> {
    if (this.stopping.signal.aborted) return Promise.resolve();
    this.wanted.add(id);
    let loop = this.loops.get(id);
    if (!loop) {
      loop = this.loop(id);
      this.loops.set(id, loop);
      this.options.onChange([id]);
    }
    return loop;
  }

  /** Checks while a check is wanted; leaves `loops` in the same step that finds none is, so no request is lost. */
  private async loop(id: string): Promise<void> {
    await Promise.resolve();
    for (;;) {
      if (!this.wanted.delete(id) || this.stopping.signal.aborted) {
        this.wanted.delete(id);
        this.loops.delete(id);
        this.options.onChange([id]);
        return;
      }
      await this.checkOnce(id);
    }
  }

  private async checkOnce(id: string): Promise<void> {
    const record = this.vault.list().find((c) => c.id === id);
    if (!record) return;
    try {
      const outcome = await this.oneAtATime(endpointIdentity(record.endpoint), () => this.vault.check(id, { signal: this.stopping.signal, timeoutMs: this.options.timeoutMs }));
      this.record(record, outcome);
    } catch (error) {
      const info = toErrorInfo(error);
      if (info.code === 'CANCELLED') return;
      // A locked keychain says nothing about the key: its health stays as it was.
      if (info.code === 'KEYCHAIN_UNAVAILABLE') {
        if (!this.keychainWarned) log.warn(`Key health checks wait for the keychain: ${info.message}`);
        this.keychainWarned = true;
        return;
      }
      if (!isKeydeskError(error)) log.warn(`Key health check failed: ${error instanceof Error ? error.message : String(error)}`);
      this.record(record, { works: false, reason: failureReason(info), error: info });
    }
  }

  /** Keeps the outcome of a check made elsewhere (import tests each key before saving it). */
  record(checked: CredentialRecord, outcome: KeyCheck): void {
    const current = this.vault.list().find((c) => c.id === checked.id);
    // Replaced or removed while it was checked: that check says nothing about the key it holds now.
    if (!current || current.accessKeyId !== checked.accessKeyId || current.endpoint !== checked.endpoint) return;
    const previous = this.metadata.health(checked.id);
    const before = previous?.accessKeyId === checked.accessKeyId ? previous : undefined;
    const now = new Date().toISOString();
    const health: KeyHealth = outcome.works
      ? { accessKeyId: checked.accessKeyId, checkedAt: now, verifiedAt: now, ...(outcome.limited ? { limited: true } : {}) }
      : {
          accessKeyId: checked.accessKeyId,
          checkedAt: now,
          ...(before?.verifiedAt ? { verifiedAt: before.verifiedAt } : {}),
          failingSince: before?.failingSince ?? now,
          failure: { reason: outcome.reason, error: outcome.error },
        };
    this.metadata.putHealth(checked.id, health);
  }

  /** One check at a time per service, and at most `concurrency` overall. */
  private async oneAtATime<T>(service: string, work: () => Promise<T>): Promise<T> {
    const before = this.serviceTails.get(service) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = before.then(() => mine);
    this.serviceTails.set(service, tail);
    await before;
    try {
      await this.slot();
      try {
        return await work();
      } finally {
        this.active--;
        this.waitingForSlot.shift()?.();
      }
    } finally {
      done();
      if (this.serviceTails.get(service) === tail) this.serviceTails.delete(service);
    }
  }

  private slot(): Promise<void> {
    if (this.active < this.options.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waitingForSlot.push(() => {
        this.active++;
        resolve();
      }),
    );
  }
}
