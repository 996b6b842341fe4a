import type { Row } from '../state/object-browser.svelte';

/** Characters kept whole at a long name's end (its number, date or extension), the rest may lose its middle. */
const TAIL = 12;

/**
 * A name in two parts for a middle ellipsis: the head may be cut with "…" by CSS, the tail always shows,
 * so "report-2024-01.csv" and "report-2024-02.csv" stay apart in a narrow column.
 */
export function middleSplit(name: string): [string, string] {
  // By code points, so a character outside the BMP (an emoji) is never cut in half.
  const chars = [...name];
  if (chars.length <= TAIL * 2) return [name, ''];
  return [chars.slice(0, -TAIL).join(''), chars.slice(-TAIL).join('')];
}

/** How long typed letters add up to one search ("rep" finds "report"). */
const TYPE_AHEAD_MS = 1_000;

/** Type-ahead find in a listing, as in a file manager. */
export class TypeAhead {
  private typed = '';
  private lastAt = 0;

  /** The index of the row to go to after `key` (from the focused row, -1 for none), or -1. The same letter again steps to the next match. */
  find(rows: Row[], key: string, from: number, now = Date.now()): number {
    if (now - this.lastAt > TYPE_AHEAD_MS) this.typed = '';
    this.lastAt = now;
    const repeat = this.typed.length > 0 && [...this.typed].every((c) => c === key.toLowerCase());
    this.typed += key.toLowerCase();
    const wanted = repeat ? key.toLowerCase() : this.typed;
    // A first or repeated letter moves on from the current row; a longer search may stay on it.
    const first = repeat || this.typed.length === 1 ? from + 1 : from;
    for (let step = 0; step < rows.length; step++) {
      const index = (Math.max(0, first) + step) % rows.length;
      if (rows[index].name.toLowerCase().startsWith(wanted)) return index;
    }
    return -1;
  }
}
