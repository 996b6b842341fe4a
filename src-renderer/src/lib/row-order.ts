import type { Row, SortKey } from '../state/object-browser.svelte';

// Plain comparisons: ISO dates order as strings, and localeCompare is far too slow for 100k rows.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const ORDERS: Record<Exclude<SortKey, 'name'>, (a: Row, b: Row) => number> = {
  size: (a, b) => a.size - b.size || compare(a.name, b.name),
  modified: (a, b) => compare(a.lastModified ?? '', b.lastModified ?? '') || compare(a.name, b.name),
};

/**
 * A listing's files in ascending order of a key, kept from one call to the next. "name" is the order S3
 * lists keys in, so it needs no sort. A listing only appends rows (a batch every 250 ms), so only the new
 * rows are sorted and merged in: sorting all rows again on every batch took over half of the renderer's
 * main thread while a 100k-object folder loaded sorted by size.
 */
export class SortedFiles {
  private last?: { key: SortKey; files: Row[]; rows: Row[] };

  get(files: Row[], key: SortKey): Row[] {
    if (key === 'name') {
      this.last = undefined;
      return files;
    }
    const last = this.last;
    if (last?.key === key && last.files === files) return last.rows;
    const order = ORDERS[key];
    // Every listing makes new row objects: the same row at the old end means the same listing, appended to.
    const appended = last?.key === key && last.files.length > 0 && files[last.files.length - 1] === last.files[last.files.length - 1];
    const rows = appended ? merge(last.rows, files.slice(last.files.length).sort(order), order) : files.toSorted(order);
    this.last = { key, files, rows };
    return rows;
  }
}

/**
 * Two sorted arrays as one, the few newer rows placed by binary search: a batch of k rows costs k·log n
 * comparisons instead of n (the comparisons, not the copying, are what cost). On ties the older row stays first.
 */
function merge(older: Row[], newer: Row[], order: (a: Row, b: Row) => number): Row[] {
  const rows: Row[] = [];
  let i = 0;
  for (const row of newer) {
    let lo = i;
    let hi = older.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (order(row, older[mid]) < 0) hi = mid;
      else lo = mid + 1;
    }
    while (i < lo) rows.push(older[i++]);
    rows.push(row);
  }
  while (i < older.length) rows.push(older[i++]);
  return rows;
}

/** Folders first, as in every file manager; the filter keeps names containing it, in any case. */
export function shownRows(folders: Row[], sortedFiles: Row[], key: SortKey, ascending: boolean, filter: string): Row[] {
  const needle = filter.trim().toLowerCase();
  const keep = (rows: Row[]) => (needle ? rows.filter((row) => row.name.toLowerCase().includes(needle)) : rows);
  const shownFolders = keep(folders);
  const shownFiles = keep(sortedFiles);
  if (ascending) return shownFolders.concat(shownFiles);
  return (key === 'name' ? shownFolders.toReversed() : shownFolders).concat(shownFiles.toReversed());
}
