import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src-main/ipc/app-context';
import type { Envelope } from '../../src-main/ipc/channel';
import type { ChannelArgs, ChannelName, ChannelResult } from '../../src-main/ipc/contract';
import { dispatch } from '../../src-main/ipc/dispatch';
import { createHandlers } from '../../src-main/ipc/handlers';
import { MemorySecrets } from '../helpers/memory-secrets';
import { createRgwUser, type RgwUser } from '../helpers/rgw-users';

/*
 * The untrusted-certificate flow as the renderer drives it, through payload validation and the handlers,
 * against RGW over HTTPS with a private CA: refused with the certificate shown, the CA trusted for this
 * credential (from a file: RGW sends only its leaf), browsing works; trust removed, refused again; a pin.
 * And for an account: its trust reaches the Admin Ops calls and the keys it saves.
 */

const rgw = inject('rgw');
const host = '127.0.0.1';
let ctx: AppContext;
let user: RgwUser;
let caPem: string;

async function call<C extends ChannelName>(name: C, payload: ChannelArgs<C>): Promise<Envelope<ChannelResult<C>>> {
  return (await dispatch(createHandlers(ctx), name, payload)) as Envelope<ChannelResult<C>>;
}

async function value<C extends ChannelName>(name: C, payload: ChannelArgs<C>): Promise<ChannelResult<C>> {
  const envelope = await call(name, payload);
  if (!envelope.ok) throw new Error(`${name}: ${envelope.error.message}`);
  return envelope.value;
}

beforeAll(async () => {
  const home = await mkdtemp(join(tmpdir(), 'keydesk-tls-ipc-'));
  ctx = createAppContext({ mode: 'browser', version: 'test', home, defaultHome: home, openLink: async () => {}, cliCommand: 'keydesk', secrets: new MemorySecrets() });
  user = await createRgwUser(rgw, 'tlsipc');
  caPem = await readFile(rgw.tls.caFile, 'utf8');
});

const keyPair = () => ({ endpoint: rgw.tls.endpoint, region: rgw.region, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });

describe('a credential for an endpoint with a private CA', () => {
  it('is refused with the certificate shown; trusting the CA from a file saves it with the credential, and browsing works', async () => {
    const refused = await call('credentials:test', keyPair());
    expect(refused).toMatchObject({ ok: false, error: { code: 'UNTRUSTED_CERTIFICATE', certificate: { host, reason: 'unknown-ca', nameMatches: true, chain: [{ subject: 'CN=127.0.0.1' }] } } });
    const leaf = (refused as { error: { certificate: { chain: { sha256: string }[] } } }).error.certificate.chain[0];

    const ca = await value('tls:importCa', { host, pem: caPem });
    expect(ca).toMatchObject({ isCA: true, sha256: new X509Certificate(caPem).fingerprint256 });
    const trust = [{ kind: 'ca' as const, host, sha256: ca.sha256 }];
    await expect(value('credentials:test', { ...keyPair(), trust })).resolves.toMatchObject({ bucketCount: 0 });
    const saved = await value('credentials:add', { ...keyPair(), label: 'tls', trust });
    expect(saved.trust).toMatchObject([{ kind: 'ca', host, sha256: ca.sha256, subject: expect.stringContaining('Keydesk test CA') }]);

    await value('buckets:create', { credentialId: saved.id, name: `${user.uid}-tls` });
    expect((await value('buckets:list', { credentialId: saved.id })).map((b) => b.name)).toEqual([`${user.uid}-tls`]);
    const report = await value('tls:probe', { url: rgw.tls.endpoint, credentialId: saved.id });
    expect(report).toMatchObject({ host, chain: [{ subject: 'CN=127.0.0.1' }, { isCA: true }] });
    expect(report.problem).toBeUndefined();

    // Trust removed in Settings: refused again, with the reason.
    const bare = await value('credentials:update', { id: saved.id, trust: [] });
    expect(bare.trust).toBeUndefined();
    await expect(call('buckets:list', { credentialId: saved.id })).resolves.toMatchObject({ ok: false, error: { code: 'UNTRUSTED_CERTIFICATE' } });

    // Pinned instead: exactly that certificate is accepted.
    const pinned = await value('credentials:update', { id: saved.id, trust: [{ kind: 'pin', host, sha256: leaf.sha256 }] });
    expect(pinned.trust).toMatchObject([{ kind: 'pin', sha256: leaf.sha256 }]);
    await expect(value('buckets:list', { credentialId: saved.id })).resolves.toHaveLength(1);
  });

  it('refuses choices naming certificates no server presented, and payloads that are not what they claim', async () => {
    const forged = await call('credentials:add', { ...keyPair(), label: 'forged', trust: [{ kind: 'ca', host, sha256: 'AB:'.repeat(31) + 'AB' }] });
    expect(forged).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('has not seen that certificate') } });
    await expect(call('tls:probe', { url: 'http://127.0.0.1:1/' })).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    await expect(call('tls:probe', { url: 'file:///etc/passwd' })).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    await expect(call('tls:importCa', { host, pem: 'x'.repeat(70_000) })).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    await expect(call('credentials:test', { ...keyPair(), trust: [{ kind: 'ca', host: 'a b', sha256: 'nope' }] } as never)).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});

describe('an account whose admin endpoint has a private CA', () => {
  it('uses its trust for Admin Ops, and passes it to the keys it saves', async () => {
    const fields = { endpoint: rgw.tls.endpoint, region: rgw.region, accessKeyId: rgw.admin.accessKeyId, secretAccessKey: rgw.admin.secretAccessKey, uid: user.uid };
    await expect(call('accounts:add', { providerId: 'ceph-rgw', label: 'rgw tls', fields })).resolves.toMatchObject({ ok: false, error: { code: 'UNTRUSTED_CERTIFICATE' } });
    const ca = await value('tls:importCa', { host, pem: caPem });
    const { account } = await value('accounts:add', { providerId: 'ceph-rgw', label: 'rgw tls', fields, trust: [{ kind: 'ca', host, sha256: ca.sha256 }] });
    expect(account.trust).toMatchObject([{ kind: 'ca', sha256: ca.sha256 }]);

    const created = await value('keys:create', { accountId: account.id, saveInKeychain: true, description: 'via tls' });
    const [ref] = created.savedCredentials;
    expect(ctx.vault.get(ref.id).trust).toMatchObject([{ kind: 'ca', sha256: ca.sha256 }]);
    await expect(value('buckets:list', { credentialId: ref.id })).resolves.toBeDefined();

    await value('accounts:setTrust', { id: account.id, trust: [] });
    await expect(call('keys:list', { accountId: account.id })).resolves.toMatchObject({ ok: false, error: { code: 'UNTRUSTED_CERTIFICATE' } });
  });
});
