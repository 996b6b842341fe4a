/** One entry of a menu (context menu, "More…", "Bucket"): the same action as its toolbar button. */
export interface MenuAction {
  label: string;
  run: () => void;
  disabled?: boolean;
  danger?: boolean;
  /** For a toggle ("Show versions", "Details"): shown as a checked menu item. */
  pressed?: boolean;
  /** The key that does the same, shown beside the label ("F2", "Delete"). */
  shortcut?: string;
  /** Starts a new group, drawn with a line above it. */
  separatorBefore?: boolean;
}

/** Where a menu opens: at the pointer, or under (and aligned with) a button. */
export type MenuPlace = { x: number; y: number };

/** The next enabled index from `from` in `direction`, wrapping; -1 when none is enabled. */
export function nextEnabled(items: MenuAction[], from: number, direction: 1 | -1): number {
  for (let step = 1; step <= items.length; step++) {
    const index = (((from + direction * step) % items.length) + items.length) % items.length;
    if (!items[index].disabled) return index;
  }
  return -1;
}

/** Type-ahead in a menu: the next enabled item after `from` whose label starts with `letter`. */
export function itemStartingWith(items: MenuAction[], from: number, letter: string): number {
  const wanted = letter.toLowerCase();
  for (let step = 1; step <= items.length; step++) {
    const index = (from + step) % items.length;
    if (!items[index].disabled && items[index].label.toLowerCase().startsWith(wanted)) return index;
  }
  return -1;
}
