import { describe, expect, it } from 'vitest';
import { PageShortcuts } from '../../src-renderer/src/lib/page-shortcuts';

const key = (k: string, modifiers: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...modifiers });

describe('page shortcuts', () => {
  it('matches single keys and keys pressed one after the other', () => {
    const shortcuts = new PageShortcuts(['shortcuts', 'go-credentials', 'go-accounts', 'go-buckets']);
    expect(shortcuts.press(key('?'), 0)).toBe('shortcuts');
    expect(shortcuts.press(key('g'), 10)).toBeUndefined();
    expect(shortcuts.press(key('a'), 20)).toBe('go-accounts');
    expect(shortcuts.press(key('G'), 30)).toBeUndefined();
    expect(shortcuts.press(key('B'), 40)).toBe('go-buckets');
    // "g g c": the second g starts again.
    expect([shortcuts.press(key('g'), 50), shortcuts.press(key('g'), 60), shortcuts.press(key('c'), 70)]).toEqual([undefined, undefined, 'go-credentials']);
  });

  it('forgets a started sequence after a pause, a modifier or another key', () => {
    const shortcuts = new PageShortcuts(['go-credentials']);
    shortcuts.press(key('g'), 0);
    expect(shortcuts.press(key('c'), 5_000)).toBeUndefined();
    shortcuts.press(key('g'), 6_000);
    expect(shortcuts.press(key('c', { ctrlKey: true }), 6_100)).toBeUndefined();
    shortcuts.press(key('g'), 7_000);
    expect(shortcuts.press(key('x'), 7_100)).toBeUndefined();
    expect(shortcuts.press(key('c'), 7_200)).toBeUndefined();
    shortcuts.press(key('g'), 8_000);
    expect(shortcuts.press(key('ArrowDown'), 8_050)).toBeUndefined();
    expect(shortcuts.press(key('c'), 8_100)).toBeUndefined();
  });
});
