import { chmod, link, lstat, readdir, readFile, rename, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImport } from '../../../src-main/core/ecosystem/importer';
import { CredentialVault } from '../../../src-main/core/vault/credential-vault';
import { MetadataStore } from '../../../src-main/core/vault/metadata-store';
import { MemorySecrets } from '../../helpers/memory-secrets';
import { tempDir } from '../../helpers/s3-fixtures';
import { writeSampleHome, type SampleKeys } from './fixtures';

const keys: SampleKeys = {
  endpoint: 'http://127.0.0.1:7480',
  aws: { accessKeyId: 'AWSKEY0001', secretAccessKey: 'aws-secret-0001-abcdefgh' },
  rclone: { accessKeyId: 'RCLONEKEY1', secretAccessKey: 'rclone-secret-0001-abcdefgh' },
  s3cmd: { accessKeyId: 'S3CMDKEY01', secretAccessKey: 's3cmd-secret-0001-abcdefgh' },
};

function memoryVault(): CredentialVault {
  return new CredentialVault(new MetadataStore({ store: {} }), new MemorySecrets());
}

/** Imports the AWS key (no key test: the endpoint is not a server) and removes its plain-text secret. */
const importAndClean = (vault: CredentialVault, home: string) => runImport(vault, { home, env: {} }, ['aws:ceph'], { removePlaintext: true, saveAnyway: ['aws:ceph'] });

describe('removing plain-text secrets from config files', () => {
  it('rewrites the file atomically with its permissions, leaving no temp file beside it', async () => {
    const home = await writeSampleHome(keys);
    const file = join(home, '.aws', 'credentials');
    await chmod(file, 0o640);
    await importAndClean(memoryVault(), home);
    expect(await readFile(file, 'utf8')).not.toContain(keys.aws.secretAccessKey);
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect((await readdir(join(home, '.aws'))).sort()).toEqual(['config', 'credentials']);
  });

  it('leaves a file reached through a link alone, and says where the secret still is', async () => {
    const home = await writeSampleHome(keys);
    const dotfiles = await tempDir('keydesk-dotfiles-');
    const real = join(dotfiles, 'aws-credentials');
    await rename(join(home, '.aws', 'credentials'), real);
    await symlink(real, join(home, '.aws', 'credentials'));
    const before = await readFile(real, 'utf8');
    const vault = memoryVault();
    await expect(importAndClean(vault, home)).rejects.toThrow(
      new RegExp(`credentials is a link to ${real}, so Keydesk did not rewrite it; .* the plain-text copy is still in ${real}`),
    );
    expect(await readFile(real, 'utf8')).toBe(before);
    expect((await lstat(join(home, '.aws', 'credentials'))).isSymbolicLink()).toBe(true);
    expect(await readdir(dotfiles)).toEqual(['aws-credentials']);
    // The key itself was imported before the clean-up was refused.
    expect(vault.list().map((c) => c.accessKeyId)).toEqual([keys.aws.accessKeyId]);
  });

  it('leaves a file with other names (hard links) alone, so no copy keeps the secret unnoticed', async () => {
    const home = await writeSampleHome(keys);
    const other = join(await tempDir('keydesk-dotfiles-'), 'backup-credentials');
    await link(join(home, '.aws', 'credentials'), other);
    const before = await readFile(other, 'utf8');
    await expect(importAndClean(memoryVault(), home)).rejects.toThrow(/has 1 other name\(s\) \(hard links\), so Keydesk did not rewrite it/);
    expect(await readFile(other, 'utf8')).toBe(before);
    expect(await readFile(join(home, '.aws', 'credentials'), 'utf8')).toBe(before);
  });
});
