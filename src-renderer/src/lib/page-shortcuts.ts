import { shortcut } from '../../../src-main/ipc/shared';

/**
 * The shortcuts the page handles itself (the registry's plain-key entries, like "?" and "G C"): single keys
 * and keys pressed one after the other, without Ctrl, Alt or ⌘. Typing in a field never triggers them.
 */

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

const SEQUENCE_MS = 1500;

export class PageShortcuts {
  private readonly sequences: { id: string; steps: string[] }[];
  private typed: string[] = [];
  private lastAt = 0;

  constructor(ids: string[]) {
    this.sequences = ids.flatMap((id) => shortcut(id).keys.map((keys) => ({ id, steps: keys.split(' ').map((key) => key.toLowerCase()) })));
  }

  /** The shortcut this key press completes, if any. */
  press(event: KeyPress, now = Date.now()): string | undefined {
    if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) {
      this.typed = [];
      return undefined;
    }
    if (now - this.lastAt > SEQUENCE_MS) this.typed = [];
    this.lastAt = now;
    this.typed.push(event.key.toLowerCase());
    for (;;) {
      const typed = this.typed;
      const done = this.sequences.find((entry) => entry.steps.length === typed.length && entry.steps.every((step, i) => step === typed[i]));
      if (done) {
        this.typed = [];
        return done.id;
      }
      if (this.sequences.some((entry) => typed.every((key, i) => entry.steps[i] === key))) return undefined;
      // Not the start of any shortcut: try again from the latest key ("g g c" is still "g c").
      if (typed.length <= 1) {
        this.typed = [];
        return undefined;
      }
      this.typed = typed.slice(1);
    }
  }
}

/** Typing into a field, or a control that takes letters itself: page shortcuts keep out of the way. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type);
}
