import { closeSync, constants, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { KeydeskError } from '../errors';
import { writeFileAtomicSync } from '../safe-files';
import type { StoreBacking } from './metadata-store';

/** What every version's file must hold at least; the rest is MetadataStore's (and its migrations') business. */
const settingsShape = z.looseObject({
  version: z.number().optional(),
  credentials: z.array(z.looseObject({ id: z.string(), endpoint: z.string(), accessKeyId: z.string() })).optional(),
  accounts: z.array(z.looseObject({ id: z.string(), providerId: z.string() })).optional(),
  health: z.record(z.string(), z.unknown()).optional(),
});

/**
 * keydesk.json in the data folder: the same file and format conf/electron-store wrote before, read on
 * every access like they did, so an edit by hand is seen. Written through safe-files.ts, atomically and
 * synced; conf followed a link at the name and replaced the file it pointed to, while this replaces the name.
 * A link found there when reading is refused with a sentence, so settings kept elsewhere are never silently
 * shadowed by a new file.
 */
export class SettingsFile implements StoreBacking {
  readonly path: string;

  constructor(private readonly home: string) {
    this.path = join(home, 'keydesk.json');
  }

  get store(): Record<string, unknown> {
    const text = this.read();
    if (text === undefined || text.trim() === '') return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw this.unreadable(`it is not valid JSON (${(error as Error).message})`, error);
    }
    return this.checked(parsed);
  }

  set store(value: Record<string, unknown>) {
    this.checked(value);
    mkdirSync(this.home, { recursive: true, mode: 0o700 });
    writeFileAtomicSync(this.path, JSON.stringify(value, undefined, '\t'));
  }

  private read(): string | undefined {
    let fd: number;
    try {
      fd = openSync(this.path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'ELOOP' || code === 'EMLINK') {
        throw new KeydeskError(
          { code: 'INTERNAL', message: `${this.path} is a link; Keydesk keeps its settings only in a plain file and did not follow it.`, hint: 'Replace the link with the file it points to, then start Keydesk again.' },
          { cause: error },
        );
      }
      throw this.unreadable((error as Error).message, error);
    }
    try {
      return readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  }

  private checked(value: unknown): Record<string, unknown> {
    const result = settingsShape.safeParse(value);
    if (!result.success) throw this.unreadable(result.error.issues.map((i) => `${i.path.join('/')}: ${i.message}`).join('; '));
    return value as Record<string, unknown>;
  }

  private unreadable(reason: string, cause?: unknown): KeydeskError {
    return new KeydeskError({ code: 'INTERNAL', message: `The settings file ${this.path} could not be read: ${reason}` }, { cause });
  }
}
