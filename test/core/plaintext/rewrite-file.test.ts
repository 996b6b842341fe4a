import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PlaintextFinder } from '../../../src-main/core/plaintext/finder';
import { ensurePrivateFolder, replaceFile, writeNewFile } from '../../../src-main/core/plaintext/rewrite-file';
import { CredentialVault } from '../../../src-main/core/vault/credential-vault';
import { MetadataStore } from '../../../src-main/core/vault/metadata-store';
import { MemorySecrets } from '../../helpers/memory-secrets';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, randomBytes: vi.fn(actual.randomBytes) };
});

const SECRET = 'Qm9yZWRTZWNyZXRLZXlGb3JUZXN0czAwMDAwMDAx';
let dir: string;
let victim: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keydesk-rewrite-'));
  victim = join(dir, 'victim');
  await writeFile(victim, 'precious\n');
});

afterEach(() => vi.mocked(randomBytes).mockReset());

/** The next random names Keydesk picks: first `taken` (where the test plants a link), then a fresh one. */
function nextRandom(...hex: string[]): void {
  const mock = vi.mocked(randomBytes) as unknown as { mockImplementationOnce(fn: () => Buffer): void };
  for (const h of hex) mock.mockImplementationOnce(() => Buffer.from(h, 'hex'));
}

describe('writes that never follow a planted link', () => {
  it('a new file refuses a name something is at, a link to a file or to nowhere', async () => {
    await symlink(victim, join(dir, 'to-file'));
    await symlink(join(dir, 'nowhere'), join(dir, 'dangling'));
    for (const name of ['to-file', 'dangling']) {
      await expect(writeNewFile(join(dir, name), Buffer.from('x'), 0o600)).rejects.toMatchObject({ code: 'EEXIST' });
    }
    await expect(lstat(join(dir, 'nowhere'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readFile(victim, 'utf8')).toBe('precious\n');
  });

  it('a replacement skips a temp name a link holds, and replaces the file with its mode', async () => {
    const target = join(dir, 'credentials');
    await writeFile(target, 'old\n', { mode: 0o640 });
    const planted = join(dir, '.credentials.keydesk-aaaaaaaaaaaa.tmp');
    await symlink(victim, planted);
    nextRandom('aaaaaaaaaaaa');
    const { uid, gid } = await stat(target);
    await replaceFile(target, Buffer.from('new\n'), { mode: 0o100640, uid, gid, stillUnchanged: async () => true });
    expect(await readFile(target, 'utf8')).toBe('new\n');
    expect((await stat(target)).mode & 0o777).toBe(0o640);
    expect(await readFile(victim, 'utf8')).toBe('precious\n');
    expect(await readlink(planted)).toBe(victim);
    // No temp file left behind.
    expect((await readdir(dir)).sort()).toEqual(['.credentials.keydesk-aaaaaaaaaaaa.tmp', 'credentials', 'victim']);
  });

  it('a replacement stops when the file changed at the last moment, and leaves no temp file', async () => {
    const target = join(dir, 'credentials');
    await writeFile(target, 'old\n');
    const { uid, gid } = await stat(target);
    await expect(replaceFile(target, Buffer.from('new\n'), { mode: 0o100600, uid, gid, stillUnchanged: async () => false })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await readFile(target, 'utf8')).toBe('old\n');
    expect(await readdir(dir)).toEqual(['credentials', 'victim']);
  });

  it('the backups folder must be a folder of its own', async () => {
    await symlink(dir, join(dir, 'backups'));
    await expect(ensurePrivateFolder(join(dir, 'backups'))).rejects.toMatchObject({ code: 'CONFLICT' });
    await ensurePrivateFolder(join(dir, 'real-backups'));
    expect((await stat(join(dir, 'real-backups'))).mode & 0o777).toBe(0o700);
  });

  it('a fix under links planted at its backup and temp names writes neither through them', async () => {
    const home = join(dir, 'home');
    await mkdir(join(home, '.aws'), { recursive: true });
    const credentials = join(home, '.aws', 'credentials');
    await writeFile(credentials, `[x]\naws_access_key_id = AKIAPLANTEDLINKS0001\naws_secret_access_key = ${SECRET}\n`, { mode: 0o600 });
    const backups = join(dir, 'keydesk', 'backups');
    await mkdir(backups, { recursive: true });
    const vault = new CredentialVault(new MetadataStore({ store: {} }), new MemorySecrets());
    const finder = new PlaintextFinder({ vault, cliCommand: 'keydesk', backupsDir: backups, scope: () => ({ home, env: {}, folders: [] }) });
    const { findings } = await finder.scan();
    expect(findings).toHaveLength(1);

    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-02T04:19:55Z') });
    try {
      const stamp = '20261202-041955';
      const from = credentials.replace(/^\/+/, '').replace(/\//g, '_');
      await symlink(victim, join(backups, `${stamp}-${from}-aaaaaa`));
      await symlink(victim, join(home, '.aws', '.credentials.keydesk-bbbbbbbbbbbb.tmp'));
      nextRandom('aaaaaa', 'cccccc', 'bbbbbbbbbbbb');
      const { outcomes } = await finder.fix([{ findingId: findings[0].id, action: 'remove' }]);
      expect(outcomes[0]).toMatchObject({ ok: true, backup: join(backups, `${stamp}-${from}-cccccc`) });
    } finally {
      vi.useRealTimers();
    }
    expect(await readFile(victim, 'utf8')).toBe('precious\n');
    expect(await readFile(credentials, 'utf8')).toBe('[x]\n# A plain-text access key was removed here by Keydesk.\n');
    const backup = await readFile(join(backups, (await readdir(backups)).find((n) => n.endsWith('cccccc'))!), 'utf8');
    expect(backup).toBe('[x]\naws_access_key_id = AKIAPLANTEDLINKS0001\naws_secret_access_key = [secret removed by Keydesk]\n');
  });
});
