import { createHash } from 'node:crypto';
import { chown, link, lstat, mkdir, readdir, readFile, rename, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MOVED_NOTE } from '../../../src-main/core/ecosystem/importer';
import { BACKUP_PLACEHOLDER, REMOVED_NOTE } from '../../../src-main/core/plaintext/fixes';
import { PlaintextFinder, type PlaintextReport } from '../../../src-main/core/plaintext/finder';
import type { PlaintextFinding } from '../../../src-main/core/plaintext/findings';
import { log } from '../../../src-main/core/redact';
import { CredentialVault } from '../../../src-main/core/vault/credential-vault';
import { MetadataStore } from '../../../src-main/core/vault/metadata-store';
import { MemorySecrets } from '../../helpers/memory-secrets';
import { AWS_OTHER, ENDPOINT, HELD, HIDDEN, plantHome, RCLONE_OTHER, ZSH_METAFIED, type PlantedHome } from './planted-home';

const CLI = '/opt/Keydesk/keydesk';
const SECRETS = [HELD, AWS_OTHER, RCLONE_OTHER, HIDDEN].map((k) => k.secretAccessKey).concat('Tq7Zr0x9wPlmK2vB8sN4yC6dE1fG3hJ5kL0mN2pQ', 'FwoGZXIvYXdzEBYaDJk7Qx2Vb9Lm3Np8Rt5Wz0Yc4Hg6', 'minio-secret-value-01');

let planted: PlantedHome;
let vault: CredentialVault;
let finder: PlaintextFinder;
let logged: string;

beforeEach(async () => {
  planted = await plantHome();
  vault = new CredentialVault(new MetadataStore({ store: {} }), new MemorySecrets());
  await vault.save({ label: 'Ceph main', endpoint: ENDPOINT, region: 'us-east-1', accessKeyId: HELD.accessKeyId, secretAccessKey: HELD.secretAccessKey });
  finder = new PlaintextFinder({ vault, cliCommand: CLI, backupsDir: join(planted.home, '..', 'keydesk-home', 'backups'), scope: () => ({ home: planted.home, env: {}, folders: [planted.added] }) });
  // Everything Keydesk logs, to prove no secret reaches a log line.
  logged = '';
  const capture = (chunk: string | Uint8Array) => ((logged += String(chunk)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const secret of SECRETS) expect(logged).not.toContain(secret);
});

/** No secret, and no 8-character piece of one, anywhere in what would cross IPC. */
function expectNoSecrets(value: unknown): void {
  const json = JSON.stringify(value);
  for (const secret of SECRETS) {
    for (let i = 0; i + 8 <= secret.length; i += 4) expect(json).not.toContain(secret.slice(i, i + 8));
  }
}

const inFile = (report: PlaintextReport, path: string) => report.findings.filter((f) => f.file === path);
const only = (report: PlaintextReport, path: string): PlaintextFinding => {
  const found = inFile(report, path);
  expect(found, path).toHaveLength(1);
  return found[0];
};

describe('finding plain-text keys', () => {
  it('finds every copy in the scope, and nothing outside it', async () => {
    const { paths } = planted;
    const report = await finder.scan();
    expectNoSecrets(report);
    log.info(JSON.stringify(report));

    const byProfile = (path: string): Record<string, PlaintextFinding> => Object.fromEntries(inFile(report, path).map((f) => [f.section, f]));
    const aws = byProfile(paths.awsCredentials);
    expect(Object.keys(aws).sort()).toEqual(['default', 'other', 'temporary']);
    expect(aws.default).toMatchObject({ lines: [3, 4], matched: 'both', accessKeyId: HELD.accessKeyId, saved: { label: 'Ceph main' }, excerpt: [`aws_access_key_id = ${HELD.accessKeyId}`, 'aws_secret_access_key = ••••••••'] });
    expect(aws.default.fixes.find((f) => f.action === 'credential-process')).toMatchObject({ available: true, description: expect.stringContaining(`credential_process = ${CLI} credential-process --profile ceph-main`) });
    expect(aws.other).toMatchObject({ matched: 'both', accessKeyId: AWS_OTHER.accessKeyId, importable: { ready: true, endpoint: 'https://s3.eu-west-1.amazonaws.com' } });
    expect(aws.other.saved).toBeUndefined();
    expect(aws.other.fixes.find((f) => f.action === 'credential-process')).toMatchObject({ available: false, reason: expect.stringContaining('import it first') });
    expect(aws.temporary).toMatchObject({ temporary: true, importable: { ready: false } });

    expect(only(report, paths.rclone)).toMatchObject({ section: 'ceph', matched: 'both', saved: { label: 'Ceph main' }, note: expect.stringContaining('rclone has no credential_process') });
    expect(only(report, paths.rclone).fixes.map((f) => f.action)).toEqual(['remove']);
    expect(only(report, paths.rcloneLegacy)).toMatchObject({ accessKeyId: RCLONE_OTHER.accessKeyId, importable: { ready: true, endpoint: 'https://s3.example.net' } });
    expect(only(report, paths.s3cfg)).toMatchObject({ matched: 'both', saved: { label: 'Ceph main' } });

    // History: the ID and the secret typed five lines apart are two copies; each names what matched.
    expect(inFile(report, paths.bashHistory).map((f) => [f.lines, f.matched])).toEqual([
      [[2], 'access-key-id'],
      [[7], 'secret'],
    ]);
    expect(only(report, paths.zshHistory)).toMatchObject({ lines: [2], matched: 'both', saved: { label: 'Ceph main' } });
    expect(only(report, paths.fishHistory)).toMatchObject({ lines: [3], matched: 'both' });
    expect(only(report, paths.fishHistory).fixes[0].description).toContain('lines 3–4');

    expect(only(report, paths.appEnv)).toMatchObject({ lines: [3, 5], matched: 'both', excerpt: [`AWS_ACCESS_KEY_ID=${HELD.accessKeyId}`, 'AWS_SECRET_ACCESS_KEY="••••••••"'] });
    expect(only(report, paths.crlfEnv)).toMatchObject({ lines: [1, 2], accessKeyId: AWS_OTHER.accessKeyId, importable: { ready: true } });
    expect(only(report, paths.envrc)).toMatchObject({ accessKeyId: 'minio-access-01', importable: { ready: true, endpoint: 'https://minio.example.org' } });

    // An added folder: every text file, by name or by value; JSON is not rewritten line by line.
    expect(only(report, paths.addedScript)).toMatchObject({ lines: [3, 4], matched: 'both', fixes: [{ action: 'remove', available: true }] });
    const json = inFile(report, paths.addedJson);
    expect(json.map((f) => [f.lines, f.matched])).toEqual([
      [[3], 'access-key-id'],
      [[4], 'secret'],
    ]);
    expect(json[0].fixes[0]).toMatchObject({ available: false, reason: expect.stringContaining('not JSON') });

    // Nothing from node_modules, too deep, a link out of scope, the FIFO, the huge or the binary file.
    expect(report.findings.filter((f) => f.accessKeyId === HIDDEN.accessKeyId)).toEqual([]);
    const skipped = Object.fromEntries(report.skipped.map((s) => [s.path, s.reason]));
    expect(skipped).toMatchObject({ [paths.linkOutEnv]: 'link-outside', [paths.addedLinkOut]: 'link-outside', [paths.fifoEnv]: 'special', [paths.hugeEnv]: 'too-large', [paths.binaryEnv]: 'binary' });
    expect(report.findings.some((f) => f.file === paths.linkOutEnv || f.file === paths.tooDeepEnv || f.file === paths.nodeModulesEnv)).toBe(false);
    expect(report.stats.folderLinks).toBe(1);
    expect(report.looked.find((l) => l.path === paths.awsCredentials)).toMatchObject({ state: 'read' });
    expect(report.looked.find((l) => l.path.endsWith('.python_history'))).toMatchObject({ state: 'missing' });
  });

  it('scans for one key: its copies only, the secret alone counting as a copy', async () => {
    const report = await finder.scanForKey({ accessKeyId: HELD.accessKeyId, endpoint: ENDPOINT });
    expectNoSecrets(report);
    expect(report.key).toMatchObject({ accessKeyId: HELD.accessKeyId, secretCompared: true, saved: { label: 'Ceph main' } });
    expect(report.findings.every((f) => f.saved?.label === 'Ceph main')).toBe(true);
    expect(new Set(report.findings.map((f) => f.file))).toEqual(
      new Set([planted.paths.awsCredentials, planted.paths.rclone, planted.paths.s3cfg, planted.paths.bashHistory, planted.paths.zshHistory, planted.paths.fishHistory, planted.paths.appEnv, planted.paths.addedScript, planted.paths.addedJson]),
    );
    // A key Keydesk does not hold, without its secret: found by its ID.
    const other = await finder.scanForKey({ accessKeyId: AWS_OTHER.accessKeyId });
    expect(other.findings.map((f) => [f.file, f.matched])).toEqual([
      [planted.paths.awsCredentials, 'access-key-id'],
      [planted.paths.crlfEnv, 'access-key-id'],
    ]);
    // The same ID at another service is another key.
    const elsewhere = await finder.scanForKey({ accessKeyId: RCLONE_OTHER.accessKeyId, endpoint: 'https://other.example.com' });
    expect(elsewhere.findings).toEqual([]);
  });

  it('reads tool files where their variables point, even outside HOME, but not a HISTFILE outside it', async () => {
    const { outside, home } = planted;
    await writeFile(join(outside, 'aws-creds'), `[ci]\naws_access_key_id = ${HELD.accessKeyId}\naws_secret_access_key = ${HELD.secretAccessKey}\n`);
    await writeFile(join(outside, 'history'), `export AWS_SECRET_ACCESS_KEY=${HELD.secretAccessKey}\n`);
    await mkdir(join(outside, 'roaming', 'rclone'), { recursive: true });
    await writeFile(join(outside, 'roaming', 'rclone', 'rclone.conf'), `[w]\ntype = s3\naccess_key_id = ${HELD.accessKeyId}\nsecret_access_key = ${HELD.secretAccessKey}\n`);
    const env = { AWS_SHARED_CREDENTIALS_FILE: join(outside, 'aws-creds'), HISTFILE: join(outside, 'history'), APPDATA: join(outside, 'roaming') };
    const withEnv = new PlaintextFinder({ vault, cliCommand: CLI, backupsDir: '/nonexistent', scope: () => ({ home, env, folders: [] }) });
    const report = await withEnv.scan();
    expect(inFile(report, join(outside, 'aws-creds')).map((f) => [f.section, f.matched])).toEqual([['ci', 'both']]);
    expect(inFile(report, join(outside, 'roaming', 'rclone', 'rclone.conf')).map((f) => f.section)).toEqual(['w']);
    expect(report.looked.map((l) => l.path)).not.toContain(join(outside, 'history'));
    expect(inFile(report, join(outside, 'history'))).toEqual([]);
  });

  it('reports progress, and a cancelled scan ends with CANCELLED', async () => {
    const progress = vi.fn();
    await finder.scan({ onProgress: progress });
    expect(progress).toHaveBeenCalled();
    expect(progress.mock.calls.at(-1)![0].filesRead).toBeGreaterThan(10);
    const controller = new AbortController();
    const scan = finder.scan({ signal: controller.signal, onProgress: () => controller.abort() });
    await expect(scan).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('stops at its time and entry budgets and says how much it left', async () => {
    const byTime = new PlaintextFinder({ vault, cliCommand: CLI, backupsDir: '/nonexistent', scope: () => ({ home: planted.home, env: {}, folders: [] }), limits: { timeBudgetMs: 0 } });
    expect((await byTime.scan()).stats.stopped).toMatchObject({ reason: 'time', foldersLeft: 1 });
    const byEntries = new PlaintextFinder({ vault, cliCommand: CLI, backupsDir: '/nonexistent', scope: () => ({ home: planted.home, env: {}, folders: [] }), limits: { maxEntries: 3 } });
    const report = await byEntries.scan();
    expect(report.stats.stopped).toMatchObject({ reason: 'entries' });
    expect(report.stats.stopped!.foldersLeft).toBeGreaterThan(0);
    // The tool files are read before any walk.
    expect(report.findings.some((f) => f.file === planted.paths.awsCredentials)).toBe(true);
  });
});

describe('fixing plain-text copies', () => {
  it('a leaked key Keydesk replaced: found by ID and by its secret, its AWS profile can ask for the replacement, it is never imported again', async () => {
    const { paths } = planted;
    const replacement = await vault.save({ label: 'Replacement', endpoint: 'https://s3.eu-west-1.amazonaws.com', region: 'eu-west-1', accessKeyId: 'AKIAREPLACEMENT00001', secretAccessKey: 'replacement-secret-not-in-any-file-000000' });
    const report = await finder.scanForKey({ accessKeyId: AWS_OTHER.accessKeyId, secret: AWS_OTHER.secretAccessKey, replacedBy: replacement.id });
    expectNoSecrets(report);
    expect(report.key).toMatchObject({ accessKeyId: AWS_OTHER.accessKeyId, secretCompared: true });
    const profile = only(report, paths.awsCredentials);
    expect(profile).toMatchObject({ matched: 'both', replacedBy: { id: replacement.id, label: 'Replacement' } });
    expect(profile.saved).toBeUndefined();
    expect(profile.importable).toBeUndefined();
    expect(profile.fixes.find((f) => f.action === 'credential-process')).toMatchObject({ available: true, description: expect.stringContaining('--profile replacement') });
    await expect(finder.importKeys([profile.id])).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('leaked key') });
    await finder.fix([{ findingId: profile.id, action: 'credential-process' }]);
    const text = await readFile(paths.awsCredentials, 'utf8');
    expect(text).toContain(`credential_process = ${CLI} credential-process --profile replacement`);
    expect(text).not.toContain(AWS_OTHER.secretAccessKey);
  });

  it('replaces an AWS profile with credential_process: only its lines change, mode and owner stay, the backup has no secret', async () => {
    const { paths } = planted;
    await chown(paths.awsCredentials, 1234, 2345);
    const before = await readFile(paths.awsCredentials);
    const report = await finder.scan();
    const profile = inFile(report, paths.awsCredentials).find((f) => f.section === 'default')!;

    const { outcomes, report: after } = await finder.fix([{ findingId: profile.id, action: 'credential-process' }]);
    expectNoSecrets(outcomes);
    expectNoSecrets(after);
    expect(outcomes).toEqual([{ file: paths.awsCredentials, findingIds: [profile.id], ok: true, backup: expect.any(String), changedLines: 2 }]);
    const text = await readFile(paths.awsCredentials, 'utf8');
    expect(text).toBe(
      before
        .toString()
        .replace(`aws_access_key_id = ${HELD.accessKeyId}\naws_secret_access_key = ${HELD.secretAccessKey}\n`, `credential_process = ${CLI} credential-process --profile ceph-main\n`),
    );
    const stats = await stat(paths.awsCredentials);
    expect([stats.mode & 0o7777, stats.uid, stats.gid]).toEqual([0o640, 1234, 2345]);

    const backup = await readFile(outcomes[0].backup!, 'utf8');
    for (const secret of SECRETS) expect(backup).not.toContain(secret);
    expect(backup).toBe(
      before
        .toString()
        .replaceAll(HELD.secretAccessKey, BACKUP_PLACEHOLDER)
        .replaceAll(AWS_OTHER.secretAccessKey, BACKUP_PLACEHOLDER)
        .replace('Tq7Zr0x9wPlmK2vB8sN4yC6dE1fG3hJ5kL0mN2pQ', BACKUP_PLACEHOLDER)
        .replace('FwoGZXIvYXdzEBYaDJk7Qx2Vb9Lm3Np8Rt5Wz0Yc4Hg6', BACKUP_PLACEHOLDER),
    );
    expect((await stat(outcomes[0].backup!)).mode & 0o777).toBe(0o600);
    // The file was searched again: the fixed profile is gone, the others are still offered (with new line numbers).
    expect(inFile(after, paths.awsCredentials).map((f) => [f.section, f.lines])).toEqual([
      ['other', [6, 7]],
      ['temporary', [11, 12, 13]],
    ]);
    expect(after.findings.find((f) => f.id === profile.id)).toBeUndefined();
  });

  it('removes .env, history and script lines byte for byte: CRLF, no final newline, unicode and zsh bytes kept', async () => {
    const { paths } = planted;
    const report = await finder.scan();
    const pick = (path: string) => inFile(report, path).map((f) => ({ findingId: f.id, action: 'remove' as const }));
    const zshBefore = await readFile(paths.zshHistory);
    const { outcomes } = await finder.fix([...pick(paths.appEnv), ...pick(paths.crlfEnv), ...pick(paths.zshHistory), ...pick(paths.fishHistory), ...pick(paths.bashHistory), ...pick(paths.rclone)]);
    expect(outcomes.map((o) => [o.file, o.ok])).toEqual(
      [paths.appEnv, paths.crlfEnv, paths.zshHistory, paths.fishHistory, paths.bashHistory, paths.rclone].map((p) => [p, true]),
    );

    // A held key leaves the note that says where it went; another key the plain "removed" note.
    expect(await readFile(paths.appEnv, 'utf8')).toBe(['# réglages — 鍵', 'DB_PASSWORD=hunter2-not-a-key', MOVED_NOTE, 'DEBUG=1', 'PORT=8080'].join('\n'));
    expect((await stat(paths.appEnv)).mode & 0o777).toBe(0o644);
    expect(await readFile(paths.crlfEnv, 'utf8')).toBe(`${REMOVED_NOTE}\r\nAWS_REGION=eu-west-1\r\n`);
    expect(await readFile(paths.zshHistory)).toEqual(Buffer.concat([ZSH_METAFIED, Buffer.from('\n: 1700000002:0;ls\n')]));
    expect(zshBefore.subarray(0, ZSH_METAFIED.length)).toEqual(ZSH_METAFIED);
    // A fish entry goes whole (its `when:` line too); history files get no note.
    expect(await readFile(paths.fishHistory, 'utf8')).toBe(['- cmd: ls', '  when: 1700000000', '- cmd: pwd', '  when: 1700000002', ''].join('\n'));
    expect(await readFile(paths.bashHistory, 'utf8')).toBe(['ls -la', 'cd /srv', 'git log --oneline', 'echo done', 'make test', 'aws s3 ls', ''].join('\n'));
    expect(await readFile(paths.rclone, 'utf8')).toBe(['[local]', 'type = local', '', '[ceph]', 'type = s3', 'provider = Ceph', MOVED_NOTE, `endpoint = ${ENDPOINT}`, ''].join('\n'));

    // Backups: one per file, none with a secret, each with everything else.
    const backups = await readdir(finder['options'].backupsDir);
    expect(backups).toHaveLength(6);
    for (const name of backups) {
      const bytes = await readFile(join(finder['options'].backupsDir, name));
      for (const secret of SECRETS) expect(bytes.includes(secret)).toBe(false);
    }
    const envBackup = backups.find((b) => b.includes('app_.env-'))!;
    expect(await readFile(join(finder['options'].backupsDir, envBackup), 'utf8')).toContain(`AWS_ACCESS_KEY_ID=${HELD.accessKeyId}\nDEBUG=1\nAWS_SECRET_ACCESS_KEY="${BACKUP_PLACEHOLDER}"\nPORT=8080`);
  });

  it('changes nothing that was not confirmed, and refuses a file that changed since the scan', async () => {
    const { paths } = planted;
    const hash = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    const snapshot = async () =>
      Promise.all(Object.values(paths).filter((p) => !p.endsWith('fifo/.env') && !p.includes('etc-link')).map(async (p) => [p, hash(await readFile(p)), (await stat(p)).mtimeMs]));
    const before = await snapshot();
    const report = await finder.scan();
    expect(await snapshot()).toEqual(before);

    const envFinding = only(report, paths.appEnv);
    await writeFile(paths.appEnv, 'EDITED=1\n');
    const { outcomes } = await finder.fix([{ findingId: envFinding.id, action: 'remove' }]);
    expect(outcomes[0]).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('changed since the scan') } });
    expect(await readFile(paths.appEnv, 'utf8')).toBe('EDITED=1\n');

    // Same size and content written back: the modification time still tells.
    const s3cfg = only(report, paths.s3cfg);
    await writeFile(paths.s3cfg, await readFile(paths.s3cfg));
    const again = await finder.fix([{ findingId: s3cfg.id, action: 'remove' }]);
    expect(again.outcomes[0]).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('refuses fixes not offered, findings of no scan, and files with other names', async () => {
    const { paths } = planted;
    const report = await finder.scan();
    const other = inFile(report, paths.awsCredentials).find((f) => f.section === 'other')!;
    await expect(finder.fix([{ findingId: other.id, action: 'credential-process' }])).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('import it first') });
    const json = inFile(report, paths.addedJson)[0];
    await expect(finder.fix([{ findingId: json.id, action: 'remove' }])).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(finder.fix([{ findingId: '6f1c1a9e-0000-4000-8000-000000000000', action: 'remove' }])).rejects.toMatchObject({ code: 'NOT_FOUND' });

    await link(paths.s3cfg, join(planted.home, 's3cfg-hardlink'));
    const rescanned = await finder.scan();
    const { outcomes } = await finder.fix([{ findingId: only(rescanned, paths.s3cfg).id, action: 'remove' }]);
    expect(outcomes[0]).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('hard links') } });
    expect(await readFile(paths.s3cfg, 'utf8')).toContain(HELD.secretAccessKey);
  });

  it('rewrites the file a link inside the scope leads to, keeping the link', async () => {
    const { paths } = planted;
    const dotfile = join(planted.home, 'dotfiles', 'credentials');
    await mkdir(join(planted.home, 'dotfiles'));
    await rename(paths.awsCredentials, dotfile);
    await symlink(dotfile, paths.awsCredentials);
    const report = await finder.scan();
    const profile = inFile(report, paths.awsCredentials).find((f) => f.section === 'default')!;
    expect(profile.target).toBe(dotfile);
    const { outcomes } = await finder.fix([{ findingId: profile.id, action: 'remove' }]);
    expect(outcomes[0].ok).toBe(true);
    expect((await lstat(paths.awsCredentials)).isSymbolicLink()).toBe(true);
    expect(await readFile(dotfile, 'utf8')).not.toContain(HELD.secretAccessKey);
  });
});

describe('importing a key found in plain text', () => {
  it('tests before saving, saves only what works or what the user saves anyway, then offers credential_process', async () => {
    const { paths } = planted;
    const report = await finder.scan();
    const other = inFile(report, paths.awsCredentials).find((f) => f.section === 'other')!;
    // The sample key works nowhere: its test fails, so nothing is saved.
    const failing = await finder.importKeys([other.id], { timeoutMs: 2_000 });
    expect(failing.result.failing).toEqual([{ id: other.id, reason: expect.any(String), error: expect.objectContaining({ code: expect.any(String) }) }]);
    expect(vault.list()).toHaveLength(1);

    const saved = await finder.importKeys([other.id], { saveAnyway: [other.id] });
    expectNoSecrets(saved);
    expect(saved.result.imported).toMatchObject([{ label: 'other (AWS profile)', accessKeyId: AWS_OTHER.accessKeyId, endpoint: 'https://s3.eu-west-1.amazonaws.com' }]);
    const now = saved.report.findings.find((f) => f.id === other.id)!;
    expect(now.saved).toMatchObject({ label: 'other (AWS profile)' });
    expect(now.fixes.find((f) => f.action === 'credential-process')).toMatchObject({ available: true });
    // The CRLF .env holds the same key: it is Keydesk's now too.
    expect(saved.report.findings.find((f) => f.file === paths.crlfEnv)?.saved).toMatchObject({ label: 'other (AWS profile)' });
    await expect(finder.importKeys([other.id])).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('holds this key already') });
  });
});
