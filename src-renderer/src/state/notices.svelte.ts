import type { ErrorInfo } from '../../../src-main/ipc/contract';

export interface Notice {
  id: number;
  /** The folder it is about: shown there only, not in the folder you go to next. */
  where: string;
  text?: string;
  error?: ErrorInfo;
}

/** How long a success notice stays. Errors stay until dismissed: they hold what to do next. */
export const NOTICE_MS = 6_000;

/** The object browser's messages, each tied to the folder it is about. */
export class FolderNotices {
  items = $state.raw<Notice[]>([]);
  private nextId = 1;
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();

  shownIn(where: string): Notice[] {
    return this.items.filter((notice) => notice.where === where);
  }

  /** A success: replaces the folder's earlier notices, errors too (what was tried next worked), and goes by itself. */
  say(text: string, where: string): void {
    const id = this.nextId++;
    for (const notice of this.items) if (notice.where === where) this.dismiss(notice.id);
    this.items = [...this.items, { id, where, text }];
    this.timers.set(
      id,
      setTimeout(() => this.dismiss(id), NOTICE_MS),
    );
  }

  /** An error stays until dismissed; the same error again is not listed twice. */
  fail(error: ErrorInfo, where: string): void {
    const others = this.items.filter((n) => !(n.where === where && n.error?.message === error.message));
    this.items = [...others, { id: this.nextId++, where, error }];
  }

  dismiss(id: number): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.items = this.items.filter((n) => n.id !== id);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
