import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runImport } from '../../../src-main/core/ecosystem/importer';
import { snippets } from '../../../src-main/core/ecosystem/snippets';
import { CredentialVault } from '../../../src-main/core/vault/credential-vault';
import { MetadataStore, openConfStore } from '../../../src-main/core/vault/metadata-store';
import { KeychainSecretStore } from '../../../src-main/core/vault/secret-store';
import { createRgwUser } from '../../helpers/rgw-users';
import { writeSampleHome } from './fixtures';

const run = promisify(execFile);
const rgw = inject('rgw');
const root = join(import.meta.dirname, '../../..');
const cli = join(root, 'out/main/cli.js');

describe.skipIf(!process.env.DBUS_SESSION_BUS_ADDRESS)('import, then credential_process from the keychain, against a real RGW', () => {
  beforeAll(async () => {
    // `npm test` builds before the integration step; a lone run builds here.
    if (!existsSync(cli)) await run(join(root, 'node_modules/.bin/electron-vite'), ['build'], { cwd: root, timeout: 180_000 });
  }, 200_000);

  it('imports ~/.aws, rclone and s3cmd keys, removes the plain text, and `aws s3 ls` works through credential_process', async () => {
    const [a, r, s] = await Promise.all([createRgwUser(rgw, 'imp-aws'), createRgwUser(rgw, 'imp-rclone'), createRgwUser(rgw, 'imp-s3cmd')]);
    const home = await writeSampleHome({ endpoint: rgw.endpoint, aws: a, rclone: r, s3cmd: s });
    const keydeskHome = join(home, 'keydesk-home');
    const vault = new CredentialVault(new MetadataStore(openConfStore(keydeskHome)), new KeychainSecretStore(`Keydesk@${keydeskHome}`));

    const result = await runImport(vault, { home, env: {} }, ['aws:ceph', 'rclone:ceph-rclone', 's3cmd:default'], { removePlaintext: true });
    expect(result.imported).toHaveLength(3);
    for (const file of ['.aws/credentials', '.config/rclone/rclone.conf', '.s3cfg']) {
      const text = await readFile(join(home, file), 'utf8');
      for (const user of [a, r, s]) expect(text).not.toContain(user.secretAccessKey);
    }
    // Every imported key works from the keychain.
    for (const record of result.imported) await expect(vault.test(await vault.connection(record.id))).resolves.toBeDefined();

    const env: NodeJS.ProcessEnv = { ...process.env, KEYDESK_HOME: keydeskHome, HOME: home };
    delete env.AWS_CA_BUNDLE;
    const record = result.imported[1];
    const { profile, awsConfig } = snippets(record, vault.list(), `${process.execPath} ${cli}`);

    const direct = await run(process.execPath, [cli, 'credential-process', '--profile', profile], { env });
    expect(JSON.parse(direct.stdout)).toEqual({ Version: 1, AccessKeyId: r.accessKeyId, SecretAccessKey: r.secretAccessKey });
    await expect(run(process.execPath, [cli, 'credential-process', '--profile', 'missing'], { env })).rejects.toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringContaining('No saved Keydesk credential has the profile name "missing"'),
    });

    const bucket = `imported-${Date.now()}`;
    const configFile = join(home, 'aws-config-keydesk');
    await writeFile(configFile, awsConfig);
    // aws 2.9 ignores endpoint_url in the config file: pass it on the command line too.
    const aws = (...args: string[]) =>
      run('/usr/bin/aws', ['--profile', profile, '--endpoint-url', rgw.endpoint, ...args], {
        env: { ...env, AWS_CONFIG_FILE: configFile, AWS_SHARED_CREDENTIALS_FILE: join(home, 'none') },
        timeout: 60_000,
      });
    await aws('s3', 'mb', `s3://${bucket}`);
    const { stdout } = await aws('s3', 'ls');
    expect(stdout).toContain(bucket);
    expect(stdout).not.toContain(r.secretAccessKey);
  });
});
