import { describe, expect, it } from 'vitest';
import { middleSplit, TypeAhead } from '../../src-renderer/src/lib/object-keys';
import { naturalKey } from '../../src-renderer/src/lib/row-order';
import type { Row } from '../../src-renderer/src/state/object-browser.svelte';

const rows = (...names: string[]): Row[] => names.map((name) => ({ id: name, kind: 'file', name, nameKey: naturalKey(name), size: 0 }));

describe('middleSplit', () => {
  it('keeps short names whole and the distinguishing end of long ones', () => {
    expect(middleSplit('notes.txt')).toEqual(['notes.txt', '']);
    const [head, tail] = middleSplit('quarterly-report-final-2024-01.csv');
    expect(head + tail).toBe('quarterly-report-final-2024-01.csv');
    expect(tail).toBe('2024-01.csv'.padStart(12, '-'));
  });

  it('never cuts a character outside the BMP in half', () => {
    const name = `${'photo-'.repeat(3)}🙂🙂🙂holiday.jpg`;
    const [head, tail] = middleSplit(name);
    expect(head + tail).toBe(name);
    expect(tail).toBe('🙂holiday.jpg');
    // No lone surrogate at either side of the cut.
    for (const part of [head, tail]) expect(part).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });
});

describe('TypeAhead', () => {
  const list = rows('alpha', 'beta', 'report', 'readme', 'rex', 'zeta');

  it('goes from the focused row to the next name starting with what was typed in the last second', () => {
    const find = new TypeAhead();
    expect(find.find(list, 'r', -1, 0)).toBe(2);
    expect(find.find(list, 'e', 2, 100)).toBe(2);
    expect(find.find(list, 'a', 2, 200)).toBe(3);
    // A second later the search starts over.
    expect(find.find(list, 'z', 3, 1500)).toBe(5);
  });

  it('steps through names with the same letter pressed again, wrapping, and finds nothing for no match', () => {
    const find = new TypeAhead();
    expect(find.find(list, 'r', 0, 0)).toBe(2);
    expect(find.find(list, 'r', 2, 100)).toBe(3);
    expect(find.find(list, 'r', 3, 200)).toBe(4);
    expect(find.find(list, 'r', 4, 300)).toBe(2);
    expect(new TypeAhead().find(list, 'q', 0, 0)).toBe(-1);
  });
});
