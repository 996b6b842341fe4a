import { join } from 'node:path';
import { JsonRecordDir } from '../json-files';
import type { KeyLastUse, KeyScope } from '../providers/adapter';
import type { OldKeyChoice, RotationStrategy } from './plan';

/**
 * How far a rotation got; each phase is written before the next step starts (for 'started': before the
 * provider is asked for anything), so after a crash recovery knows whether to roll back (before the new
 * key verified) or finish (after). 'settled': the old key was dealt with (revoked, or handed to the
 * pending revocations); only cleanup was left. 'stopped': a leaked key was switched off (leak-steps.ts), before
 * its replacement is asked for.
 */
export type RotationPhase = 'started' | 'stopped' | 'created' | 'verified' | 'switched' | 'settled';

/** How a leaked key is stopped: switched off (undoable), deleted, its user suspended, or its secret reset in place. */
export type LeakStop = 'deactivate' | 'delete' | 'suspend-owner' | 'reset';

/** What a leak response adds to its journal: it stops the key first and always finishes forward. */
export interface LeakJournal {
  stop: LeakStop;
  /** Where no saved credential held the key: the replacement is saved as a new credential with this label. */
  saveAs?: { suggestedLabel: string };
  lastUseBefore?: KeyLastUse;
}

/** How a key made on the account's keys screen is saved where no saved credential holds it. */
export interface KeySaveAs {
  suggestedLabel: string;
  region?: string;
  owner?: string;
}

/**
 * What the keys screen adds to its journal ("Regenerate secret"/"Reset key", "Create key"): no old key to
 * keep or revoke, so recovery always goes forward with a staged secret, and removes a created key that
 * never reached the keychain (key-actions.ts).
 */
export interface KeyActionJournal {
  action: 'regenerate' | 'create';
  /** A created key to save (set once the provider answered), or a regenerated key no saved credential holds. */
  saveAs?: KeySaveAs;
}

/** One unfinished rotation. Key IDs and credential IDs only: the new secret is staged in the keychain. */
export interface RotationJournal {
  id: string;
  credentialId: string;
  label: string;
  /** Every saved credential that used the old key; all of them move to the new one. */
  credentialIds: string[];
  accountId: string;
  scope: KeyScope;
  strategy: RotationStrategy;
  /** What the user chose for the old key. */
  oldKey: OldKeyChoice;
  /** The provider ends the old secret itself (Dell ECS): its grace was set when the new key was created. */
  providerEnforced?: boolean;
  oldKeyId: string;
  oldAccessKeyId: string;
  /** Provider key IDs before `createKey`: a key created just before a crash is the one not in this list. */
  keysBefore: string[];
  /** Each credential's rotatedAt before the switch (null: never rotated), for "Restore old key". */
  previousRotatedAt: Record<string, string | null>;
  newKeyId?: string;
  newAccessKeyId?: string;
  switchedAt?: string;
  phase: RotationPhase;
  /** Set for a "Report leaked…" run rather than a rotation. */
  leak?: LeakJournal;
  /** Set for a regenerate or create from the account's keys screen. */
  keyAction?: KeyActionJournal;
  startedAt: string;
  updatedAt: string;
}

/** One JSON file per unfinished rotation under `<stateDir>/rotations`, each write atomic and flushed. */
export class RotationJournalStore extends JsonRecordDir<RotationJournal> {
  constructor(stateDir: string) {
    super(join(stateDir, 'rotations'), 'The rotation journal');
  }

  override save(entry: RotationJournal): Promise<void> {
    return super.save({ ...entry, updatedAt: new Date().toISOString() });
  }

  async loadAll(): Promise<RotationJournal[]> {
    return (await this.all()).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }
}
