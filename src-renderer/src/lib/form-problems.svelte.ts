import { SvelteSet } from 'svelte/reactivity';

/**
 * Forms say why they cannot be saved: each problem next to its field once the field was left or Save was
 * pressed, and beside Save a line naming everything still missing, so a greyed-out button never has to
 * be guessed at. Save stays pressable: pressing it shows the problems and moves focus to the first.
 */

/** "Still needed: the endpoint, the access key ID and the secret access key." */
export function stillNeeded(names: string[]): string | undefined {
  if (names.length === 0) return undefined;
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `Still needed: ${list}.`;
}

/** A field's label inside a sentence: "User name" → "user name", while "Auth URL" and "S3 endpoint" keep their capitals. */
export function noun(label: string): string {
  return /^[A-Z][a-z]/.test(label) ? `${label[0].toLowerCase()}${label.slice(1)}` : label;
}

/** After a refused Save: the first field that says what is wrong gets focus. */
export function focusFirstProblem(form: HTMLElement | undefined): void {
  queueMicrotask(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}

/** Which problems a form shows: those of fields the user has left, and all of them after a Save attempt. */
export class ShownProblems<F extends string> {
  private readonly left = new SvelteSet<F>();
  attempted = $state(false);

  leave(field: F): void {
    this.left.add(field);
  }

  show(field: F, problems: Partial<Record<F, string>>): string | undefined {
    return this.attempted || this.left.has(field) ? problems[field] : undefined;
  }
}
