import { SvelteSet } from 'svelte/reactivity';
import type { ErrorInfo, ListingPage, ListingStep } from '../../../src-main/ipc/contract';
import { api, errorInfo } from '../lib/api';
import { naturalKey, shownRows, SortedRows } from '../lib/row-order';

export interface Row {
  /** The key, or the folder prefix ending in "/". */
  id: string;
  kind: 'folder' | 'file';
  /** Relative to the listed folder (in search results it may hold "/"). */
  name: string;
  /** The name's natural sort key (row-order.ts). */
  nameKey: string;
  size: number;
  lastModified?: string;
  etag?: string;
  storageClass?: string;
  /** Version rows ("Show versions"): `id` is then key + NUL + version ID, so it stays unique. */
  key?: string;
  versionId?: string;
  isLatest?: boolean;
  deleteMarker?: boolean;
}

/** The S3 key a row stands for (version rows carry it apart from their unique id). */
export function keyOf(row: Row): string {
  return row.key ?? row.id;
}

export type SortKey = 'name' | 'size' | 'modified';

/**
 * Rows kept per listing: ~200 bytes each, and 200k × 32 px rows stays under Chromium's ~33M px limit on
 * an element's height. Beyond it the user narrows with Search prefix.
 */
export const MAX_ROWS = 200_000;
/** Pages arrive faster than anyone reads them: rows are handed to the table at most this often. */
const FLUSH_MS = 250;

/** One bucket's folder listing: streamed rows, sort, filter and selection. */
export class ObjectBrowserState {
  credentialId = $state('');
  bucket = $state('');
  prefix = $state('');
  /** Server-side search: every key starting with prefix + search, at any depth. */
  search = $state<string>();
  /** Lists every version and delete marker of the folder's objects. */
  versions = $state(false);
  // Raw arrays: deep proxies over 100k rows would cost far more than they give.
  folders = $state.raw<Row[]>([]);
  files = $state.raw<Row[]>([]);
  loading = $state(false);
  truncated = $state(false);
  /** The user stopped the listing: the rows so far stay, the rest is not loaded. */
  stopped = $state(false);
  error = $state<ErrorInfo>();
  sort = $state<{ key: SortKey; ascending: boolean }>({ key: 'name', ascending: true });
  filter = $state('');
  readonly selected = new SvelteSet<string>();
  /** Index in `view` that shift-click extends from. */
  anchor = $state(0);
  /** Index in `view` of the row with the keyboard focus; -1 before any (the first ArrowDown goes to row 0). */
  focus = $state(-1);

  private readonly sortedFolders = new SortedRows();
  private readonly sortedFiles = new SortedRows();
  readonly count = $derived(this.folders.length + this.files.length);
  readonly view = $derived(
    shownRows(this.sortedFolders.get(this.folders, 'name'), this.sortedFiles.get(this.files, this.sort.key), this.sort.key, this.sort.ascending, this.filter),
  );
  readonly selection = $derived(this.selected.size === 0 ? [] : this.view.filter((row) => this.selected.has(row.id)));

  private generation = 0;
  private listingId: string | undefined;
  private stopRequested = false;

  async open(credentialId: string, bucket: string, prefix: string, search?: string): Promise<void> {
    this.cancelListing();
    const generation = ++this.generation;
    Object.assign(this, { credentialId, bucket, prefix, search, loading: true, truncated: false, stopped: false, error: undefined, anchor: 0, focus: -1 });
    this.stopRequested = false;
    this.folders = [];
    this.files = [];
    this.selected.clear();
    const current = () => generation === this.generation;
    let pending: ListingPage = { folders: [], objects: [] };
    let lastFlush = 0;
    const flush = () => {
      this.folders = this.folders.concat(pending.folders.map((f) => ({ id: f.prefix, kind: 'folder' as const, name: f.name, nameKey: naturalKey(f.name), size: 0 })));
      this.files = this.files.concat(
        pending.objects.map((o) => ({
          id: o.versionId === undefined ? o.key : `${o.key}\u0000${o.versionId}`,
          kind: 'file' as const,
          name: o.name,
          nameKey: naturalKey(o.name),
          size: o.size,
          lastModified: o.lastModified,
          etag: o.etag,
          storageClass: o.storageClass,
          ...(o.versionId !== undefined && { key: o.key, versionId: o.versionId, isLatest: o.isLatest, deleteMarker: o.deleteMarker }),
        })),
      );
      pending = { folders: [], objects: [] };
      lastFlush = Date.now();
    };
    const take = (page: ListingPage) => {
      pending.folders.push(...page.folders);
      pending.objects.push(...page.objects);
      if (lastFlush === 0 || Date.now() - lastFlush >= FLUSH_MS) flush();
    };
    try {
      const versions = this.versions && search === undefined ? true : undefined;
      const first = await api.objects.listStart({ credentialId, bucket, prefix, search, versions });
      const listingId = first.listingId;
      if (!current()) return void api.objects.listCancel({ listingId });
      this.listingId = listingId;
      let step: ListingStep = first;
      take(step.page);
      while (!step.done && !this.stopRequested && this.count + pending.objects.length + pending.folders.length < MAX_ROWS) {
        step = await api.objects.listNext({ listingId });
        if (!current()) return;
        take(step.page);
      }
      flush();
      if (!step.done) {
        if (this.stopRequested) this.stopped = true;
        else this.truncated = true;
        this.cancelListing();
      }
      this.listingId = undefined;
    } catch (error) {
      if (!current()) return;
      flush();
      this.error = errorInfo(error);
    } finally {
      if (current()) this.loading = false;
    }
  }

  refresh(): Promise<void> {
    return this.open(this.credentialId, this.bucket, this.prefix, this.search);
  }

  /** Stop button: ends the listing after the page in flight, keeping every row loaded so far. */
  stop(): void {
    if (this.loading) this.stopRequested = true;
  }

  /** Stops pulling pages (leaving the folder, switching bucket); main closes the listing. */
  cancelListing(): void {
    this.generation++;
    if (this.listingId) void api.objects.listCancel({ listingId: this.listingId }).catch(() => undefined);
    this.listingId = undefined;
    this.loading = false;
  }

  setSort(key: SortKey): void {
    this.sort = { key, ascending: this.sort.key === key ? !this.sort.ascending : true };
  }

  /** Click: only this row; ctrl/cmd: toggle it; shift: the range from the last clicked row. */
  select(index: number, mode: { toggle?: boolean; range?: boolean } = {}): void {
    const row = this.view[index];
    if (!row) return;
    if (mode.range) {
      if (!mode.toggle) this.selected.clear();
      const [from, to] = this.anchor <= index ? [this.anchor, index] : [index, this.anchor];
      for (let i = from; i <= to; i++) this.selected.add(this.view[i].id);
      return;
    }
    if (mode.toggle) {
      if (this.selected.has(row.id)) this.selected.delete(row.id);
      else this.selected.add(row.id);
    } else {
      this.selected.clear();
      this.selected.add(row.id);
    }
    this.anchor = index;
  }

  selectAll(): void {
    for (const row of this.view) this.selected.add(row.id);
  }

  /** Space and the row checkboxes: one row in or out of the selection, the others kept. */
  toggle(index: number): void {
    this.select(index, { toggle: true });
    this.focus = index;
  }

  clearSelection(): void {
    this.selected.clear();
  }
}
