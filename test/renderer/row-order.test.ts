import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { baseNameRange, naturalKey, shownRows, SortedRows } from '../../src-renderer/src/lib/row-order';
import { FUZZ_SEED, fuzzRuns } from '../helpers/fuzz';
import type { Row } from '../../src-renderer/src/state/object-browser.svelte';

const file = (name: string, size: number, lastModified: string): Row => ({ id: `dir/${name}`, kind: 'file', name, nameKey: naturalKey(name), size, lastModified });
const folder = (name: string): Row => ({ id: `dir/${name}/`, kind: 'folder', name, nameKey: naturalKey(name), size: 0 });
const names = (rows: Row[]) => rows.map((r) => r.name);

/** Pages of files in S3's order (by bytes), with sizes and dates in no particular order. */
function listing(count: number): Row[] {
  return Array.from({ length: count }, (_, i) => file(`${i % 3 === 0 ? 'F' : 'f'}${i}`, (i * 7919) % 13, `2024-01-${String(1 + ((i * 31) % 28)).padStart(2, '0')}T00:00:00.000Z`)).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  );
}

describe('natural name order', () => {
  it('sorts numbers by value and ignores case and accents: file2 < file10, "a folder" < "Uploads"', () => {
    const sorted = new SortedRows().get(['file10', 'Uploads', 'file2', 'a folder', 'File1', 'écrit', 'ecrire', 'b'].map((n) => file(n, 0, '')), 'name');
    expect(names(sorted)).toEqual(['a folder', 'b', 'ecrire', 'écrit', 'File1', 'file2', 'file10', 'Uploads']);
  });

  it('agrees with Intl.Collator (numeric, base sensitivity) on names of letters, digits, spaces, dots and dashes', () => {
    const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
    // No leading zeros: the collator calls "007" and "7" equal, the key puts the shorter first.
    const name = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9 .-]{0,11}$/).filter((n) => !/(^|\D)0\d/.test(n));
    fc.assert(
      fc.property(name, name, (a, b) => {
        const byCollator = Math.sign(collator.compare(a, b));
        const byKey = Math.sign(naturalKey(a) < naturalKey(b) ? -1 : naturalKey(a) > naturalKey(b) ? 1 : 0);
        expect(byKey).toBe(byCollator);
      }),
      { numRuns: fuzzRuns(500), seed: FUZZ_SEED },
    );
  });
});

describe('SortedRows', () => {
  it('merges each appended batch into the same order a full sort gives, ties broken by name', () => {
    const all = listing(1000);
    for (const key of ['name', 'size', 'modified'] as const) {
      const sorted = new SortedRows();
      let files: Row[] = [];
      for (let i = 0; i < all.length; i += 137) {
        files = files.concat(all.slice(i, i + 137));
        expect(names(sorted.get(files, key))).toEqual(names(new SortedRows().get(files, key)));
      }
      const full = sorted.get(files, key);
      expect(full).toHaveLength(1000);
      for (let i = 1; i < full.length; i++) {
        const [a, b] = [full[i - 1], full[i]];
        const before = key === 'size' ? a.size - b.size : key === 'modified' ? (a.lastModified! < b.lastModified! ? -1 : a.lastModified! > b.lastModified! ? 1 : 0) : 0;
        expect(before < 0 || (before === 0 && a.nameKey <= b.nameKey)).toBe(true);
      }
    }
  });

  it('sorts a new listing from scratch instead of merging into the old one', () => {
    const sorted = new SortedRows();
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

describe('baseNameRange', () => {
  it('selects the last name without its extension, folders without the slash, dotfiles whole', () => {
    const part = (path: string) => path.slice(...baseNameRange(path));
    expect(part('docs/report.final.pdf')).toBe('report.final');
    expect(part('photo.jpeg')).toBe('photo');
    expect(part('docs/inner/')).toBe('inner');
    expect(part('a/.env')).toBe('.env');
    expect(part('Makefile')).toBe('Makefile');
    expect(part('v1.2/notes')).toBe('notes');
  });
});
