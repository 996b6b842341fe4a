import { execFileSync } from 'node:child_process';
import { readFile, rm, stat, symlink, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MOVED_NOTE, previewImport, runImport } from '../../../src-main/core/ecosystem/importer';
import { parseIni } from '../../../src-main/core/ecosystem/ini';
import { cliCommand, revealedSnippet, snippets } from '../../../src-main/core/ecosystem/snippets';
import { findByProfile } from '../../../src-main/core/vault/profile-names';
import { CredentialVault } from '../../../src-main/core/vault/credential-vault';
import { MetadataStore } from '../../../src-main/core/vault/metadata-store';
import { MemorySecrets } from '../../helpers/memory-secrets';
import { writeSampleHome, type SampleKeys } from './fixtures';

const keys: SampleKeys = {
  endpoint: 'http://127.0.0.1:7480',
  aws: { accessKeyId: 'AWSKEY0001', secretAccessKey: 'aws-secret-0001-abcdefgh' },
  rclone: { accessKeyId: 'RCLONEKEY1', secretAccessKey: 'rclone-secret-0001-abcdefgh' },
  s3cmd: { accessKeyId: 'S3CMDKEY01', secretAccessKey: 's3cmd-secret-0001-abcdefgh' },
};

async function setup() {
  const home = await writeSampleHome(keys);
  const secrets = new MemorySecrets();
  const vault = new CredentialVault(new MetadataStore({ store: {} }), secrets);
  return { home, secrets, vault, location: { home, env: {} } };
}

describe('importing from aws, rclone and s3cmd config files', () => {
  it('parses nested AWS blocks and keeps line numbers', () => {
    const [section] = parseIni('[profile x]\nregion = eu\ns3 =\n  addressing_style = path\n  endpoint_url = http://h\nother = 1\n');
    expect(Object.fromEntries([...section.values].map(([k, v]) => [k, v.value]))).toEqual({
      region: 'eu',
      s3: '',
      's3.addressing_style': 'path',
      's3.endpoint_url': 'http://h',
      other: '1',
    });
    expect(section.values.get('other')?.line).toBe(5);
  });

  it('previews every key pair with endpoint, region and addressing style, and no secret', async () => {
    const { vault, location } = await setup();
    const preview = await previewImport(vault, location);
    expect(preview.sources.every((s) => s.found)).toBe(true);
    const byId = Object.fromEntries(preview.candidates.map((c) => [c.id, c]));
    expect(Object.keys(byId).sort()).toEqual(['aws:ceph', 'aws:temporary', 'rclone:ceph-rclone', 'rclone:envonly', 's3cmd:default']);
    expect(byId['aws:ceph']).toMatchObject({ endpoint: keys.endpoint, region: 'us-east-1', forcePathStyle: true, accessKeyId: keys.aws.accessKeyId, hasSecret: true, files: [join(location.home, '.aws', 'credentials')] });
    expect(byId['aws:temporary'].problem).toMatch(/Temporary session credentials/);
    expect(byId['aws:temporary']).toMatchObject({ region: 'us-east-1', endpoint: 'https://s3.amazonaws.com', forcePathStyle: false });
    expect(byId['rclone:ceph-rclone']).toMatchObject({ endpoint: keys.endpoint, forcePathStyle: true, accessKeyId: keys.rclone.accessKeyId });
    expect(byId['rclone:envonly'].problem).toMatch(/env_auth/);
    expect(byId['s3cmd:default']).toMatchObject({ endpoint: 'http://127.0.0.1:7480', region: 'us-east-1', forcePathStyle: true, accessKeyId: keys.s3cmd.accessKeyId });
    const json = JSON.stringify(preview);
    for (const secret of [keys.aws, keys.rclone, keys.s3cmd].map((k) => k.secretAccessKey)) expect(json).not.toContain(secret);
    expect(json).not.toContain('temporary-secret-value');
  });

  it('imports secrets to the keychain, skips what it cannot import, and rewrites the files without the secrets', async () => {
    const { vault, secrets, location, home } = await setup();
    // These sample keys work nowhere (the keys are tested against real servers in the integration tests): saved untested.
    const ids = ['aws:ceph', 'rclone:ceph-rclone', 's3cmd:default', 'aws:temporary', 'aws:gone'];
    const result = await runImport(vault, location, ids, { removePlaintext: true, saveAnyway: ids });
    expect(result.imported.map((r) => r.label)).toEqual(['ceph (AWS profile)', 'ceph-rclone (rclone remote)', 'default (s3cmd)']);
    expect(result.skipped.map((s) => s.id)).toEqual(['aws:temporary', 'aws:gone']);
    expect([...secrets.entries.values()].sort()).toEqual([keys.aws, keys.rclone, keys.s3cmd].map((k) => k.secretAccessKey).sort());

    const credentials = await readFile(join(home, '.aws', 'credentials'), 'utf8');
    expect(credentials).not.toContain(keys.aws.secretAccessKey);
    expect(credentials).not.toContain(keys.aws.accessKeyId);
    // Not imported: left exactly as it was.
    expect(credentials).toContain('aws_secret_access_key = temporary-secret-value');
    expect(credentials).toContain(`[ceph]\n${MOVED_NOTE}\n`);
    const rclone = await readFile(join(home, '.config', 'rclone', 'rclone.conf'), 'utf8');
    expect(rclone).not.toContain(keys.rclone.secretAccessKey);
    expect(rclone).toContain(`access_key_id = ${keys.rclone.accessKeyId}`);
    expect(await readFile(join(home, '.s3cfg'), 'utf8')).not.toContain(keys.s3cmd.secretAccessKey);
    expect((await stat(join(home, '.s3cfg'))).mode & 0o777).toBe(0o600);
    expect(result.cleaned.map((c) => c.removedLines)).toEqual([2, 1, 1]);

    // A second run finds nothing left to import for the cleaned keys.
    const again = await previewImport(vault, location);
    expect(again.candidates.find((c) => c.id === 'rclone:ceph-rclone')).toMatchObject({ hasSecret: false, savedAs: { id: result.imported[1].id, label: 'ceph-rclone (rclone remote)' } });
  });

  it('never opens a FIFO or a device at a tool file’s name (it would block), and reads nothing too large', async () => {
    const { vault, location, home } = await setup();
    await rm(join(home, '.s3cfg'));
    execFileSync('mkfifo', [join(home, '.s3cfg')]);
    await rm(join(home, '.aws', 'config'));
    await symlink('/dev/zero', join(home, '.aws', 'config'));
    await truncate(join(home, '.config', 'rclone', 'rclone.conf'), 20 * 1024 * 1024);
    const preview = await previewImport(vault, location);
    expect(preview.sources.map((s) => [s.path.slice(home.length), s.found])).toEqual([
      ['/.aws/credentials', true],
      ['/.aws/config', false],
      ['/.config/rclone/rclone.conf', false],
      ['/.s3cfg', false],
    ]);
    expect(preview.candidates.map((c) => c.id)).toEqual(['aws:ceph', 'aws:temporary']);
  });

  it('builds "Use in…" snippets without the secret, and reveals it only on request', async () => {
    const { vault, location } = await setup();
    const { imported } = await runImport(vault, location, ['aws:ceph'], { removePlaintext: false, saveAnyway: ['aws:ceph'] });
    const record = imported[0];
    const out = snippets(record, vault.list(), 'node /opt/keydesk/cli.js');
    expect(out.profile).toBe('ceph-aws-profile');
    expect(out.awsConfig).toContain('credential_process = node /opt/keydesk/cli.js credential-process --profile ceph-aws-profile');
    expect(out.awsConfig).toContain('  addressing_style = path');
    expect(JSON.stringify(out)).not.toContain(keys.aws.secretAccessKey);
    const secret = (await vault.connection(record.id)).secretAccessKey;
    expect(revealedSnippet('env', record, vault.list(), secret)).toContain(`AWS_SECRET_ACCESS_KEY=${keys.aws.secretAccessKey}`);
    expect(revealedSnippet('rclone', record, vault.list(), secret)).toContain(`secret_access_key = ${keys.aws.secretAccessKey}`);
    expect(findByProfile(vault.list(), 'ceph-aws-profile').id).toBe(record.id);
    expect(findByProfile(vault.list(), record.id).id).toBe(record.id);
    expect(() => findByProfile(vault.list(), 'nope')).toThrow(/No saved Keydesk credential/);
    expect(cliCommand('/usr/bin/node', '/Apps/Key Desk/cli.js')).toBe('/usr/bin/node "/Apps/Key Desk/cli.js"');
    expect(cliCommand('/opt/Key Desk/keydesk')).toBe('"/opt/Key Desk/keydesk"');
  });
});
