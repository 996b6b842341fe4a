import { describe, expect, it } from 'vitest';
import { keySteps, SHORTCUT_AREAS, SHORTCUTS } from '../../src-main/ipc/shortcuts';

describe('the shortcuts registry', () => {
  it('has unique ids, known areas and a description for every entry', () => {
    expect(new Set(SHORTCUTS.map((s) => s.id)).size).toBe(SHORTCUTS.length);
    const areas = new Set(SHORTCUT_AREAS.map((a) => a.id));
    for (const entry of SHORTCUTS) {
      expect(areas.has(entry.area), entry.id).toBe(true);
      expect(entry.keys.length, entry.id).toBeGreaterThan(0);
      expect(entry.action.length, entry.id).toBeGreaterThan(3);
    }
  });

  it('names keys for the platform', () => {
    expect(keySteps('CmdOrCtrl+Shift+N', 'linux')).toEqual([['Ctrl', 'Shift', 'N']]);
    expect(keySteps('CmdOrCtrl+Shift+N', 'darwin')).toEqual([['⌘', '⇧', 'N']]);
    expect(keySteps('G C', 'linux')).toEqual([['G'], ['C']]);
    expect(keySteps('CmdOrCtrl+-', 'linux')).toEqual([['Ctrl', '-']]);
    expect(keySteps('CmdOrCtrl+Plus', 'win32')).toEqual([['Ctrl', '+']]);
    expect(keySteps('Alt+Left', 'darwin')).toEqual([['⌥', '←']]);
  });
});
