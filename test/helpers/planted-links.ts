import { link, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { tempDir } from './s3-fixtures';

/** What an attacker who can write into a folder Keydesk writes to may leave at a name Keydesk uses. */
export const PLANTINGS = ['symlink to a file', 'symlink to a folder', 'dangling symlink', 'hard link to a file'] as const;
export type Planting = (typeof PLANTINGS)[number];

export interface Outside {
  /** A victim file, a victim folder, and where a dangling link points. */
  file: string;
  folder: string;
  nowhere: string;
  /** Puts the planting at `name`. */
  plant(kind: Planting, name: string): Promise<void>;
  /** Fails unless the victims are exactly as they were: same bytes and mode, folder empty, nothing created where the dangling link points. */
  expectUntouched(): Promise<void>;
}

const VICTIM = 'victim: must never change\n';

/** A place outside every folder a test lets Keydesk write to, with things that must stay untouched. */
export async function outside(): Promise<Outside> {
  const dir = await tempDir('keydesk-outside-');
  const file = join(dir, 'victim.txt');
  const folder = join(dir, 'victim-folder');
  const nowhere = join(dir, 'does-not-exist');
  await writeFile(file, VICTIM, { mode: 0o644 });
  await mkdir(folder);
  return {
    file,
    folder,
    nowhere,
    async plant(kind, name) {
      if (kind === 'symlink to a file') await symlink(file, name);
      else if (kind === 'symlink to a folder') await symlink(folder, name);
      else if (kind === 'dangling symlink') await symlink(nowhere, name);
      else await link(file, name);
    },
    async expectUntouched() {
      expect(await readFile(file, 'utf8')).toBe(VICTIM);
      expect((await stat(file)).mode & 0o777).toBe(0o644);
      expect(await readdir(folder)).toEqual([]);
      expect((await readdir(dir)).sort()).toEqual(['victim-folder', 'victim.txt']);
    },
  };
}
