import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { PlaintextFinder } from '../../../src-main/core/plaintext/finder';
import { KeydeskError } from '../../../src-main/core/errors';
import { CredentialVault } from '../../../src-main/core/vault/credential-vault';
import { MetadataStore, openConfStore } from '../../../src-main/core/vault/metadata-store';
import { KeychainSecretStore, type SecretStore } from '../../../src-main/core/vault/secret-store';
import { createRgwUser } from '../../helpers/rgw-users';
import { plantHome } from './planted-home';

const rgw = inject('rgw');

describe.skipIf(!process.env.DBUS_SESSION_BUS_ADDRESS)('plain-text scan against a real keychain and RGW', () => {
  it('compares secrets held in the keychain, imports a found key only after it works at RGW, and replaces its profile', async () => {
    const planted = await plantHome();
    const keydeskHome = await mkdtemp(join(tmpdir(), 'keydesk-plaintext-int-'));
    const secrets = new KeychainSecretStore(`Keydesk@${keydeskHome}`);
    const vault = new CredentialVault(new MetadataStore(openConfStore(keydeskHome)), secrets);
    const user = await createRgwUser(rgw, 'plain');
    const history = join(planted.home, '.bash_history');
    await writeFile(join(planted.home, '.aws', 'credentials'), ['[rgw]', `aws_access_key_id = ${user.accessKeyId}`, `aws_secret_access_key = ${user.secretAccessKey}`, ''].join('\n'), { mode: 0o600 });
    await writeFile(join(planted.home, '.aws', 'config'), ['[profile rgw]', `endpoint_url = ${rgw.endpoint}`, `region = ${rgw.region}`, ''].join('\n'));
    // The secret alone, typed in a shell: only a secret from the keychain can tie it to the key.
    await writeFile(history, `export AWS_SECRET_ACCESS_KEY=${user.secretAccessKey}\n`);
    const finder = new PlaintextFinder({ vault, cliCommand: 'keydesk', backupsDir: join(keydeskHome, 'backups'), scope: () => ({ home: planted.home, env: {}, folders: [] }) });

    const before = await finder.scanForKey({ accessKeyId: user.accessKeyId, endpoint: rgw.endpoint });
    expect(before.key).toMatchObject({ secretCompared: false });
    expect(before.findings.map((f) => f.file)).toEqual([join(planted.home, '.aws', 'credentials')]);

    const { findings } = await finder.scan();
    const profile = findings.find((f) => f.section === 'rgw')!;
    const imported = await finder.importKeys([profile.id]);
    expect(imported.result.imported).toMatchObject([{ accessKeyId: user.accessKeyId, endpoint: rgw.endpoint, label: 'rgw (AWS profile)' }]);
    expect(await secrets.get(`credential:${imported.result.imported[0].id}`)).toBe(user.secretAccessKey);

    const after = await finder.scanForKey({ accessKeyId: user.accessKeyId, endpoint: rgw.endpoint });
    expect(after.key).toMatchObject({ secretCompared: true, saved: { label: 'rgw (AWS profile)' } });
    expect(after.findings.map((f) => [f.file, f.matched])).toEqual([
      [join(planted.home, '.aws', 'credentials'), 'both'],
      [history, 'secret'],
    ]);
    const fixed = await finder.fix([{ findingId: after.findings[0].id, action: 'credential-process' }]);
    expect(fixed.outcomes[0].ok).toBe(true);
    expect(await readFile(join(planted.home, '.aws', 'credentials'), 'utf8')).toBe('[rgw]\ncredential_process = keydesk credential-process --profile rgw-aws-profile\n');
  });

  it('without the keychain, compares access key IDs only and says so', async () => {
    const planted = await plantHome();
    const locked: SecretStore = {
      get: async () => {
        throw new KeydeskError({ code: 'KEYCHAIN_UNAVAILABLE', message: 'The keychain is locked.' });
      },
      set: async () => {},
      delete: async () => false,
      list: async () => [],
    };
    const metadata = new MetadataStore({ store: {} });
    await new CredentialVault(metadata, { ...locked, get: async () => null }).save({ label: 'x', endpoint: 'http://127.0.0.1:7480', region: 'us-east-1', accessKeyId: 'HELDKEY0001AAAAAAAAA', secretAccessKey: 'not-read-from-here' });
    const finder = new PlaintextFinder({ vault: new CredentialVault(metadata, locked), cliCommand: 'keydesk', backupsDir: '/nonexistent', scope: () => ({ home: planted.home, env: {}, folders: [] }) });
    const report = await finder.scan();
    expect(report.keychainNote).toBe('Secrets were not compared, only access key IDs: The keychain is locked.');
    expect(report.findings.filter((f) => f.saved).every((f) => f.matched === 'access-key-id')).toBe(true);
  });
});
