import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock';
import { redact } from '../redact';
import type { RevocationNotice } from './revocations';

/** A notice as the window lists it: what it said, when it came, and its own id to dismiss it by. */
export interface RotationNotice extends RevocationNotice {
  /** This notice; `id` names what it is about (a pending revocation, a journaled rotation), which may notice again. */
  noticeId: string;
  /** When it came, by Keydesk's clock (ISO). */
  at: string;
}

/** The window shows this many; older ones were seen in the tray or are stale by now. */
export const NOTICES_KEPT = 20;
/** A provider's error message inside a body is cut here: a notice is a sentence, not a dump. */
const MAX_TEXT = 1_000;

/**
 * What rotation work told the user lately, kept in memory so a window that connects later (notices at
 * start come before any window) or reloads still shows them until dismissed. Titles and bodies name key
 * IDs, labels and times, never a secret; they pass through `redact` anyway, as a provider's error text is
 * quoted in them.
 */
export class NoticeLog {
  private items: RotationNotice[] = [];

  constructor(private readonly clock: Pick<Clock, 'now'> = systemClock) {}

  add(notice: RevocationNotice): RotationNotice {
    const entry: RotationNotice = {
      id: notice.id,
      kind: notice.kind,
      title: clip(redact(notice.title)),
      body: clip(redact(notice.body)),
      noticeId: randomUUID(),
      at: new Date(this.clock.now()).toISOString(),
    };
    this.items = [...this.items, entry].slice(-NOTICES_KEPT);
    return entry;
  }

  /** Oldest first, as they came. */
  list(): RotationNotice[] {
    return [...this.items];
  }

  /** False when it was not there (dismissed already, in another window, or dropped as old). */
  dismiss(noticeId: string): boolean {
    const before = this.items.length;
    this.items = this.items.filter((n) => n.noticeId !== noticeId);
    return this.items.length < before;
  }
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}
