/**
 * Every keyboard shortcut Keydesk has, in one place: the shortcuts sheet lists them, the application menu
 * takes its accelerators from here, and the page's own key handling matches against the same entries.
 * A screen that adds keys adds them here (its area, or a new one), so the sheet never goes stale.
 *
 * Keys use Electron's accelerator names ("CmdOrCtrl+N", "Alt+Left"); a space separates keys pressed one
 * after the other ("G C"); "Click" stands for a mouse click with the modifiers before it.
 */

export type ShortcutArea = 'app' | 'menu' | 'dialogs' | 'tabs' | 'objects';

export const SHORTCUT_AREAS: { id: ShortcutArea; title: string }[] = [
  { id: 'app', title: 'Everywhere' },
  { id: 'menu', title: 'Application menu' },
  { id: 'dialogs', title: 'Dialogs and menus' },
  { id: 'tabs', title: 'Tabs' },
  { id: 'objects', title: 'Bucket browser: object list' },
];

export interface Shortcut {
  id: string;
  /** Alternatives: any of them does it. */
  keys: string[];
  action: string;
  area: ShortcutArea;
  /** Only in the desktop app (menu accelerators a browser keeps for itself). */
  desktopOnly?: boolean;
}

export const SHORTCUTS: Shortcut[] = [
  { id: 'shortcuts', keys: ['?'], action: 'Show keyboard shortcuts', area: 'app' },
  { id: 'go-credentials', keys: ['G C'], action: 'Go to Credentials', area: 'app' },
  { id: 'go-accounts', keys: ['G A'], action: 'Go to Accounts', area: 'app' },
  { id: 'go-buckets', keys: ['G B'], action: 'Go to Buckets', area: 'app' },
  { id: 'back', keys: ['Alt+Left'], action: 'Back: the previous screen or folder', area: 'app' },
  { id: 'forward', keys: ['Alt+Right'], action: 'Forward', area: 'app' },
  { id: 'zoom-in', keys: ['CmdOrCtrl+Plus'], action: 'Zoom in', area: 'app' },
  { id: 'zoom-out', keys: ['CmdOrCtrl+-'], action: 'Zoom out', area: 'app' },
  { id: 'zoom-reset', keys: ['CmdOrCtrl+0'], action: 'Actual size', area: 'app' },

  { id: 'menu-add-credential', keys: ['CmdOrCtrl+N'], action: 'Add credentials', area: 'menu', desktopOnly: true },
  { id: 'menu-add-account', keys: ['CmdOrCtrl+Shift+N'], action: 'Add account', area: 'menu', desktopOnly: true },
  { id: 'menu-import', keys: ['CmdOrCtrl+I'], action: 'Import…', area: 'menu', desktopOnly: true },
  { id: 'menu-credentials', keys: ['CmdOrCtrl+1'], action: 'Credentials', area: 'menu', desktopOnly: true },
  { id: 'menu-accounts', keys: ['CmdOrCtrl+2'], action: 'Accounts', area: 'menu', desktopOnly: true },
  { id: 'menu-buckets', keys: ['CmdOrCtrl+3'], action: 'Buckets', area: 'menu', desktopOnly: true },
  { id: 'menu-reload', keys: ['CmdOrCtrl+R'], action: 'Reload the window', area: 'menu', desktopOnly: true },
  { id: 'menu-shortcuts', keys: ['CmdOrCtrl+/'], action: 'Keyboard shortcuts', area: 'menu', desktopOnly: true },

  { id: 'close', keys: ['Escape'], action: 'Close the dialog or the navigation menu', area: 'dialogs' },
  { id: 'submit', keys: ['Enter'], action: 'In a form field: save or confirm', area: 'dialogs' },

  { id: 'tab-next', keys: ['Left', 'Right'], action: 'Previous or next tab', area: 'tabs' },
  { id: 'tab-ends', keys: ['Home', 'End'], action: 'First or last tab', area: 'tabs' },

  { id: 'objects-move', keys: ['Up', 'Down'], action: 'Move through the list (with Shift: extend the selection)', area: 'objects' },
  { id: 'objects-page', keys: ['PageUp', 'PageDown'], action: 'A page up or down', area: 'objects' },
  { id: 'objects-ends', keys: ['Home', 'End'], action: 'First or last row', area: 'objects' },
  { id: 'objects-open', keys: ['Enter'], action: 'Open the folder, or show the file’s details', area: 'objects' },
  { id: 'objects-delete', keys: ['Delete'], action: 'Delete the selection (asks first)', area: 'objects' },
  { id: 'objects-select-all', keys: ['CmdOrCtrl+A'], action: 'Select all rows', area: 'objects' },
  { id: 'objects-toggle', keys: ['CmdOrCtrl+Click'], action: 'Add a row to the selection, or take it out', area: 'objects' },
  { id: 'objects-range', keys: ['Shift+Click'], action: 'Select the rows from the last one clicked', area: 'objects' },
];

export function shortcut(id: string): Shortcut {
  const found = SHORTCUTS.find((entry) => entry.id === id);
  if (!found) throw new Error(`No shortcut ${id}`);
  return found;
}

/** The accelerator the application menu shows for an entry. */
export function accelerator(id: string): string {
  return shortcut(id).keys[0];
}

const MAC_NAMES: Record<string, string> = { CmdOrCtrl: '⌘', Alt: '⌥', Shift: '⇧', Ctrl: '⌃' };
const NAMES: Record<string, string> = { CmdOrCtrl: 'Ctrl', Left: '←', Right: '→', Up: '↑', Down: '↓', Plus: '+', Escape: 'Esc', PageUp: 'Page Up', PageDown: 'Page Down' };

/**
 * One alternative as the keys a person presses: steps (pressed one after the other), each a list of keys
 * held together, named for the platform ("Ctrl" or "⌘").
 */
export function keySteps(keys: string, platform: string): string[][] {
  const mac = platform === 'darwin';
  return keys.split(' ').map((step) =>
    // "CmdOrCtrl+-" and "CmdOrCtrl+Plus": a lone "+" or "-" after the last "+" is a key.
    step.split(/\+(?=.)/).map((key) => (mac && MAC_NAMES[key]) || NAMES[key] || key),
  );
}
