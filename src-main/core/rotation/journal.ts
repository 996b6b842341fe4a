import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { KeydeskError } from '../errors';
import { readJsonFiles } from '../json-files';
import { ensureOwnFolder, writeFileAtomic } from '../safe-files';
import type { KeyScope } from '../providers/adapter';

export type RotationStrategy = 'two-slot' | 'create-then-delete' | 'regenerate';

/**
 * How far a rotation got; each phase is written before the next step starts, so after a crash
 * `recoverRotations` knows whether to roll back (before the new key verified) or finish (after).
 */
export type RotationPhase = 'started' | 'created' | 'verified' | 'switched' | 'revoked';

/** One unfinished rotation. Key IDs and credential IDs only: the new secret is staged in the keychain. */
export interface RotationJournal {
  id: string;
  credentialId: string;
  /** Every saved credential that used the old key; all of them move to the new one. */
  credentialIds: string[];
  accountId: string;
  scope: KeyScope;
  strategy: RotationStrategy;
  oldKeyId: string;
  oldAccessKeyId: string;
  /** Provider key IDs before `createKey`: a key created just before a crash is the one not in this list. */
  keysBefore: string[];
  newKeyId?: string;
  newAccessKeyId?: string;
  phase: RotationPhase;
  startedAt: string;
  updatedAt: string;
}

/** One JSON file per unfinished rotation under `<stateDir>/rotations`, written atomically and durably (safe-files.ts). */
export class RotationJournalStore {
  readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'rotations');
  }

  async save(entry: RotationJournal): Promise<void> {
    try {
      await ensureOwnFolder(this.dir);
      await writeFileAtomic(this.file(entry.id), JSON.stringify({ ...entry, updatedAt: new Date().toISOString() }, null, 2));
    } catch (error) {
      throw new KeydeskError({ code: 'INTERNAL', message: `The rotation journal in ${this.dir} could not be written: ${(error as Error).message}` }, { cause: error });
    }
  }

  async remove(id: string): Promise<void> {
    await rm(this.file(id), { force: true });
  }

  /** Unreadable files (cut short by a crash mid-write of an old version) are skipped, not fatal. */
  async loadAll(): Promise<RotationJournal[]> {
    const entries = (await readJsonFiles<RotationJournal>(this.dir)).map((entry) => entry.value);
    return entries.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  private file(id: string): string {
    return join(this.dir, `${id}.json`);
  }
}
