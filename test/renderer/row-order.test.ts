import { describe, expect, it } from 'vitest';
import { shownRows, SortedFiles } from '../../src-renderer/src/lib/row-order';
import type { Row } from '../../src-renderer/src/state/object-browser.svelte';

const file = (name: string, size: number, lastModified: string): Row => ({ id: `dir/${name}`, kind: 'file', name, size, lastModified });
const folder = (name: string): Row => ({ id: `dir/${name}/`, kind: 'folder', name, size: 0 });
const names = (rows: Row[]) => rows.map((r) => r.name);

/** Pages of files in name order, as a listing delivers them, with sizes and dates in no particular order. */
function listing(count: number): Row[] {
  return Array.from({ length: count }, (_, i) => file(`f${String(i).padStart(4, '0')}`, (i * 7919) % 13, `2024-01-${String(1 + ((i * 31) % 28)).padStart(2, '0')}T00:00:00.000Z`));
}

describe('SortedFiles', () => {
  it('keeps name order (the listing order) as it is', () => {
    const files = listing(5);
    expect(new SortedFiles().get(files, 'name')).toBe(files);
  });

  it('merges each appended batch into the same order a full sort gives, ties broken by name', () => {
    const all = listing(1000);
    for (const key of ['size', 'modified'] as const) {
      const sorted = new SortedFiles();
      let files: Row[] = [];
      for (let i = 0; i < all.length; i += 137) {
        files = files.concat(all.slice(i, i + 137));
        expect(names(sorted.get(files, key))).toEqual(names(new SortedFiles().get(files, key)));
      }
      const full = sorted.get(files, key);
      expect(full).toHaveLength(1000);
      for (let i = 1; i < full.length; i++) {
        const [a, b] = [full[i - 1], full[i]];
        const before = key === 'size' ? a.size - b.size : a.lastModified! < b.lastModified! ? -1 : a.lastModified! > b.lastModified! ? 1 : 0;
        expect(before < 0 || (before === 0 && a.name < b.name)).toBe(true);
      }
    }
  });

  it('sorts a new listing from scratch instead of merging into the old one', () => {
    const sorted = new SortedFiles();
    sorted.get([file('b', 2, ''), file('c', 3, '')], 'size');
    expect(names(sorted.get([file('z', 9, ''), file('a', 1, '')], 'size'))).toEqual(['a', 'z']);
  });
});

describe('shownRows', () => {
  const folders = [folder('m'), folder('n')];
  const files = [file('a', 3, ''), file('b', 1, ''), file('ab', 2, '')];

  it('puts folders first, reverses for descending, and filters names in any case', () => {
    expect(names(shownRows(folders, files, 'name', true, ''))).toEqual(['m', 'n', 'a', 'b', 'ab']);
    expect(names(shownRows(folders, files, 'name', false, ''))).toEqual(['n', 'm', 'ab', 'b', 'a']);
    expect(names(shownRows(folders, files, 'size', false, ''))).toEqual(['m', 'n', 'ab', 'b', 'a']);
    expect(names(shownRows(folders, files, 'name', true, ' A '))).toEqual(['a', 'ab']);
  });
});
