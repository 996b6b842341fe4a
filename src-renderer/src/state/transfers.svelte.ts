import type { ErrorInfo, TransferItemSnapshot, TransfersEvent, TransferTotals } from '../../../src-main/ipc/contract';
import { etaSeconds } from '../../../src-main/ipc/shared';
import { api, errorInfo } from '../lib/api';

type Item = TransferItemSnapshot;
type State = Item['state'];

/** One line in the panel: a single transfer, or a folder's transfers summed up. */
export interface TransferRow {
  id: string;
  kind: Item['kind'];
  label: string;
  detail: string;
  ids: string[];
  state: State;
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
  etaSeconds?: number;
  files: number;
  error?: ErrorInfo;
  /** Of a folder's files, how many failed. */
  failed: number;
}

const ACTIVE: ReadonlySet<State> = new Set(['queued', 'running', 'conflict']);
const RETRYABLE: ReadonlySet<State> = new Set(['failed', 'cancelled', 'interrupted']);
/** Rows rendered in the panel; the rest are counted (folders are grouped, so this is rarely reached). */
export const MAX_PANEL_ROWS = 300;
/** What one transfers:retry call takes. */
const MAX_IDS = 10_000;

export class TransfersState {
  /** Replaced (not mutated) on each batch: a folder can hold 10,000 items and a deep proxy would cost more than it gives. */
  items = $state.raw(new Map<string, Item>());
  totals = $state<TransferTotals>();
  error = $state<ErrorInfo>();
  /** False while main is gone: progress and ETAs shown are then unknown, not current. */
  connected = $state(true);

  /** Newest first: what was just queued is in view, not below the fold. */
  readonly rows = $derived(groupRows([...this.items.values()]));
  readonly failedIds = $derived([...this.items.values()].filter((i) => i.state === 'failed').map((i) => i.id));
  readonly conflicts = $derived([...this.items.values()].filter((i) => i.state === 'conflict'));
  readonly active = $derived(this.rows.some((r) => ACTIVE.has(r.state)));
  readonly finished = $derived(this.rows.some((r) => !ACTIVE.has(r.state) && r.state !== 'interrupted'));
  /** Counted from the items (progress totals only arrive once bytes move). */
  readonly summary = $derived.by(() => {
    let active = 0;
    let failed = 0;
    let bytesDone = 0;
    let bytesTotal = 0;
    for (const item of this.items.values()) {
      if (item.state === 'queued' || item.state === 'running') active++;
      if (item.state === 'failed') failed++;
      if (item.state === 'cancelled' || item.state === 'skipped') continue;
      bytesDone += item.bytesDone;
      bytesTotal += Math.max(item.bytesTotal, item.bytesDone);
    }
    return { active, failed, bytesDone, bytesTotal };
  });

  /** Subscribes to main's queue; returns the unsubscribe for $effect. */
  connect(): () => void {
    const stop = api.on('transfers:event', (event) => this.apply(event));
    const stopWatching = api.onConnection((state) => (this.connected = state.status !== 'lost'));
    void api.transfers.list().then(
      ({ items, totals }) => {
        this.items = new Map([...items.map((i) => [i.id, i] as const), ...this.items]);
        this.totals = totals;
      },
      (error: unknown) => (this.error = errorInfo(error)),
    );
    return () => {
      stop();
      stopWatching();
    };
  }

  private apply(event: TransfersEvent): void {
    const items = new Map(this.items);
    for (const item of event.items) items.set(item.id, item);
    for (const id of event.removed) items.delete(id);
    if (event.progress) {
      for (const p of event.progress.items) {
        const item = items.get(p.id);
        if (item) items.set(p.id, { ...item, ...p });
      }
      this.totals = event.progress.total;
    }
    this.items = items;
  }

  async act(action: 'cancel' | 'retry', ids: string[]): Promise<void> {
    await this.call(async () => {
      for (let i = 0; i < ids.length; i += MAX_IDS) await api.transfers[action]({ ids: ids.slice(i, i + MAX_IDS) });
    });
  }

  async retryAllFailed(): Promise<void> {
    await this.act('retry', this.failedIds);
  }

  async resolve(ids: string[], decision: 'overwrite' | 'skip' | 'keep-both'): Promise<void> {
    await this.call(() => api.transfers.resolve({ ids, decision }));
  }

  async clearFinished(): Promise<void> {
    await this.call(() => api.transfers.clear());
  }

  canRetry(row: TransferRow): boolean {
    return RETRYABLE.has(row.state);
  }

  canCancel(row: TransferRow): boolean {
    return ACTIVE.has(row.state) || row.state === 'interrupted';
  }

  private async call(work: () => Promise<unknown>): Promise<void> {
    try {
      this.error = undefined;
      await work();
    } catch (error) {
      this.error = errorInfo(error);
    }
  }
}

function groupRows(items: Item[]): TransferRow[] {
  const rows: TransferRow[] = [];
  const groups = new Map<string, { row: TransferRow; states: State[]; keys: string[] }>();
  for (const item of items) {
    const where = `${item.kind === 'upload' ? 'to' : 'from'} ${item.bucket}`;
    if (!item.groupId) {
      rows.push({
        id: item.id,
        kind: item.kind,
        label: item.kind === 'upload' ? item.key : item.localPath,
        detail: item.kind === 'upload' ? `${where}` : `${where}/${item.key}`,
        ids: [item.id],
        state: item.state,
        bytesDone: item.bytesDone,
        bytesTotal: item.bytesTotal,
        bytesPerSecond: item.bytesPerSecond,
        etaSeconds: item.etaSeconds,
        files: 1,
        error: item.error,
        failed: item.state === 'failed' ? 1 : 0,
      });
      continue;
    }
    let group = groups.get(item.groupId);
    if (!group) {
      const row: TransferRow = { id: item.groupId, kind: item.kind, label: '', detail: where, ids: [], state: 'done', bytesDone: 0, bytesTotal: 0, bytesPerSecond: 0, files: 0, failed: 0 };
      group = { row, states: [], keys: [] };
      groups.set(item.groupId, group);
      rows.push(row);
    }
    const row = group.row;
    row.ids.push(item.id);
    row.files++;
    row.bytesDone += item.bytesDone;
    row.bytesTotal += Math.max(item.bytesTotal, item.bytesDone);
    row.bytesPerSecond += item.bytesPerSecond;
    row.error ??= item.error;
    if (item.state === 'failed') row.failed++;
    group.states.push(item.state);
    group.keys.push(item.kind === 'upload' ? item.key : item.localPath);
  }
  for (const { row, states, keys } of groups.values()) {
    row.state = groupState(states);
    row.label = commonFolder(keys);
    row.etaSeconds = etaSeconds(row.bytesTotal - row.bytesDone, row.bytesPerSecond);
  }
  // Items arrive oldest first (the queue's order); a group is as new as its first file.
  return rows.reverse();
}

/** A folder is running while any file runs, waits on a conflict while any does, failed if any failed. */
function groupState(states: State[]): State {
  for (const state of ['conflict', 'running', 'queued', 'failed', 'interrupted', 'cancelled', 'done'] as const) if (states.includes(state)) return state;
  return 'skipped';
}

/** The deepest folder holding every path of a group ("photos/2024/"). */
function commonFolder(paths: string[]): string {
  let common = paths[0] ?? '';
  for (const path of paths) while (!path.startsWith(common)) common = common.slice(0, -1);
  return common.slice(0, common.lastIndexOf('/') + 1) || common;
}
