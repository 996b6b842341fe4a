import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { previewImport, runImport, testImport } from '../../../src-main/core/ecosystem/importer';
import { snippets } from '../../../src-main/core/ecosystem/snippets';
import { createAppContext, type AppContext } from '../../../src-main/ipc/app-context';
import { createHandlers } from '../../../src-main/ipc/handlers';
import { addRgwKey, createRgwUser, removeRgwKey, type RgwUser } from '../../helpers/rgw-users';

const rgw = inject('rgw');
const contexts: AppContext[] = [];
afterEach(() => {
  for (const ctx of contexts.splice(0)) ctx.health.stop();
});

/** The app's own services (browser mode's wiring) over a throw-away data dir and keychain namespace. */
async function app() {
  const home = await mkdtemp(join(tmpdir(), 'keydesk-identity-'));
  const ctx = createAppContext({ mode: 'browser', version: 'test', home, defaultHome: join(home, 'default'), openLink: async () => undefined, cliCommand: 'keydesk' });
  contexts.push(ctx);
  const handlers = createHandlers(ctx);
  const addAccount = async (uid: string) =>
    (
      await handlers['accounts:add']({
        providerId: 'ceph-rgw',
        label: 'Lab Ceph',
        fields: { endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.admin.accessKeyId, secretAccessKey: rgw.admin.secretAccessKey, uid },
      })
    ).account;
  return { home, ctx, handlers, addAccount };
}

const pasted = (user: RgwUser, change: Partial<{ endpoint: string; region: string; forcePathStyle: boolean }> = {}) => ({
  label: '',
  endpoint: rgw.endpoint,
  region: rgw.region,
  accessKeyId: user.accessKeyId,
  secretAccessKey: user.secretAccessKey,
  ...change,
});

/** An ~/.aws/credentials file holding these keys as profiles, for the importer. */
async function awsHome(profiles: Record<string, RgwUser>): Promise<{ home: string; env: Record<string, string> }> {
  const home = await mkdtemp(join(tmpdir(), 'keydesk-identity-home-'));
  await mkdir(join(home, '.aws'));
  const sections = Object.entries(profiles).map(([name, key]) => `[${name}]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`);
  const config = Object.keys(profiles).map((name) => `[profile ${name}]\nregion = ${rgw.region}\nendpoint_url = ${rgw.endpoint}\ns3 =\n  addressing_style = path\n`);
  await writeFile(join(home, '.aws', 'credentials'), sections.join('\n'), { mode: 0o600 });
  await writeFile(join(home, '.aws', 'config'), config.join('\n'));
  return { home, env: {} };
}

describe.skipIf(!process.env.DBUS_SESSION_BUS_ADDRESS)('one identity per key, against RGW and a real keychain', () => {
  it('refuses a second entry for a key on every save path, naming the first one', async () => {
    const { ctx, handlers, addAccount } = await app();
    const user = await createRgwUser(rgw, 'dup');
    const first = await handlers['credentials:add']({ ...pasted(user), label: 'Lab by hand' });

    // The manual form again, with the endpoint spelled otherwise and other region and addressing style.
    const spelled = rgw.endpoint.replace('http://', 'HTTP://') + '//';
    await expect(handlers['credentials:add']({ ...pasted(user, { endpoint: spelled, region: 'eu-west-1', forcePathStyle: false }), label: 'Again' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'This key is already saved in Keydesk as "Lab by hand".',
      existing: { id: first.id, label: 'Lab by hand' },
    });
    // "Test connection" says so before Save.
    expect(await handlers['credentials:test'](pasted(user, { endpoint: spelled }))).toMatchObject({ savedAs: { id: first.id, label: 'Lab by hand' } });

    // The account's keys screen knows the key Keydesk holds, and "Save in keychain" on its row is refused.
    const account = await addAccount(user.uid);
    const listed = await handlers['keys:list']({ accountId: account.id });
    expect(listed.keys.find((k) => k.accessKeyId === user.accessKeyId)?.credentialId).toBe(first.id);
    await expect(handlers['keys:save']({ accountId: account.id, keyId: user.accessKeyId })).rejects.toMatchObject({ code: 'CONFLICT', existing: { id: first.id } });

    // A key created with "Save in keychain", then pasted by hand: refused, pointing at the saved one.
    const created = await handlers['keys:create']({ accountId: account.id, saveInKeychain: true });
    expect(created.savedCredentials).toEqual([{ id: expect.any(String), label: `Lab Ceph: ${user.uid}` }]);
    await expect(
      handlers['credentials:add']({ label: 'mine', endpoint: `${rgw.endpoint}/`, region: rgw.region, accessKeyId: created.key.accessKeyId, secretAccessKey: created.key.secretAccessKey }),
    ).rejects.toMatchObject({ code: 'CONFLICT', existing: created.savedCredentials[0] });

    // Import: the same key in ~/.aws is "already saved", and not saved again; two profiles of one new key save it once.
    const other = await createRgwUser(rgw, 'dup');
    const location = await awsHome({ mine: user, twin: other, 'twin-again': other });
    const preview = await previewImport(ctx.vault, location);
    expect(preview.candidates.find((c) => c.id === 'aws:mine')?.savedAs).toEqual({ id: first.id, label: 'Lab by hand' });
    expect(preview.candidates.find((c) => c.id === 'aws:twin-again')?.sameKeyAs).toBe('aws:twin');
    const result = await runImport(ctx.vault, location, ['aws:mine', 'aws:twin', 'aws:twin-again'], { removePlaintext: false });
    expect(result.imported.map((r) => r.label)).toEqual(['twin (AWS profile)']);
    expect(result.skipped).toEqual([
      { id: 'aws:mine', reason: 'Already saved as "Lab by hand".', existing: { id: first.id, label: 'Lab by hand' } },
      { id: 'aws:twin-again', reason: 'Already saved as "twin (AWS profile)".', existing: { id: result.imported[0].id, label: 'twin (AWS profile)' } },
    ]);

    // A file from before duplicates were refused may hold a key twice: each entry names the other.
    const legacy = { ...ctx.vault.get(first.id), id: '00000000-0000-4000-8000-000000000001', label: 'Old twin' };
    await ctx.secrets.set(`credential:${legacy.id}`, user.secretAccessKey);
    ctx.metadata.putCredential(legacy);
    const summaries = await handlers['credentials:list'](undefined);
    expect(summaries.find((c) => c.id === legacy.id)?.sameKeyAs).toEqual({ id: first.id, label: 'Lab by hand' });
    expect(summaries.find((c) => c.id === first.id)?.sameKeyAs).toEqual({ id: legacy.id, label: 'Old twin' });
    expect(summaries.find((c) => c.id === created.savedCredentials[0].id)?.sameKeyAs).toBeUndefined();
    await handlers['credentials:remove']({ id: legacy.id });

    // Two saves of one key at the same moment: exactly one lands, and the keychain keeps one secret.
    const racer = await createRgwUser(rgw, 'dup');
    const outcomes = await Promise.allSettled([ctx.vault.save({ ...pasted(racer), label: 'a' }), ctx.vault.save({ ...pasted(racer), label: 'b' })]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(ctx.vault.holding(pasted(racer))).toHaveLength(1);
    const names = await ctx.secrets.list();
    expect(names.filter((name) => name.startsWith('credential:'))).toHaveLength(ctx.vault.list().length);
  });

  it('labels survive rotation: no key ID in the label or the profile name, before or after', async () => {
    const { ctx, handlers, addAccount } = await app();
    const user = await createRgwUser(rgw, 'label');
    const account = await addAccount(user.uid);
    const created = await handlers['keys:create']({ accountId: account.id, saveInKeychain: true });
    const id = created.savedCredentials[0].id;
    const before = snippets(ctx.vault.get(id), ctx.vault.list(), 'keydesk').profile;
    expect(ctx.vault.get(id).label).toBe(`Lab Ceph: ${user.uid}`);

    const rotated = await ctx.rotation.rotate(id);
    expect(rotated.newAccessKeyId).not.toBe(created.key.accessKeyId);
    const after = ctx.vault.get(id);
    expect(after.accessKeyId).toBe(rotated.newAccessKeyId);
    expect(after.label).toBe(`Lab Ceph: ${user.uid}`);
    expect(after.label).not.toContain(created.key.accessKeyId);
    expect(snippets(after, ctx.vault.list(), 'keydesk').profile).toBe(before);
  });

  it('import tests each key first: a revoked key is marked failing and not saved, unless saved anyway', async () => {
    const { ctx } = await app();
    const [good, revoked] = await Promise.all([createRgwUser(rgw, 'imp'), createRgwUser(rgw, 'imp')]);
    await removeRgwKey(rgw, revoked.uid, revoked.accessKeyId);
    const location = await awsHome({ good, revoked });

    const progress: { done: number; total: number }[] = [];
    const tests = await testImport(ctx.vault, location, ['aws:good', 'aws:revoked'], { onProgress: (p) => progress.push(p) });
    expect(tests).toEqual([
      { id: 'aws:good', check: { works: true, bucketCount: 0, owner: good.uid } },
      { id: 'aws:revoked', check: { works: false, reason: 'revoked or unknown key', error: expect.objectContaining({ code: 'INVALID_ACCESS_KEY', providerCode: 'InvalidAccessKeyId' }) } },
    ]);
    expect(progress.at(0)).toEqual({ done: 0, total: 2 });
    expect(progress.at(-1)).toEqual({ done: 2, total: 2 });

    const result = await runImport(ctx.vault, location, ['aws:good', 'aws:revoked'], { removePlaintext: true, onSaved: (record, check) => ctx.health.record(record, check) });
    expect(result.imported.map((r) => r.accessKeyId)).toEqual([good.accessKeyId]);
    expect(result.failing).toEqual([{ id: 'aws:revoked', reason: 'revoked or unknown key', error: expect.objectContaining({ code: 'INVALID_ACCESS_KEY' }) }]);
    expect(ctx.vault.find(pasted(revoked))).toBeUndefined();
    // The failing key's secret stays in its file: only keys safely in the keychain are cleaned out.
    const { readFile } = await import('node:fs/promises');
    const file = await readFile(join(location.home, '.aws', 'credentials'), 'utf8');
    expect(file).toContain(revoked.secretAccessKey);
    expect(file).not.toContain(good.secretAccessKey);
    // Its health starts known from the import's test.
    expect(ctx.metadata.health(result.imported[0].id)).toMatchObject({ accessKeyId: good.accessKeyId, verifiedAt: expect.any(String) });

    const anyway = await runImport(ctx.vault, location, ['aws:revoked'], { removePlaintext: false, saveAnyway: ['aws:revoked'] });
    expect(anyway.imported.map((r) => r.accessKeyId)).toEqual([revoked.accessKeyId]);

    // Cancelled while testing: nothing saved.
    const third = await createRgwUser(rgw, 'imp');
    const cancelled = new AbortController();
    cancelled.abort();
    await expect(runImport(ctx.vault, await awsHome({ third }), ['aws:third'], { removePlaintext: false, signal: cancelled.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(ctx.vault.find(pasted(third))).toBeUndefined();
  });

  it('health goes failing when the key is deleted at RGW, stays failing since then, and recovers when it is back', async () => {
    const { handlers } = await app();
    const user = await createRgwUser(rgw, 'health');
    const saved = await handlers['credentials:add']({ ...pasted(user), label: 'watched' });
    const healthOf = async () => (await handlers['credentials:list'](undefined)).find((c) => c.id === saved.id)!.health;

    await handlers['credentials:checkHealth']({ ids: [saved.id] });
    const verified = await healthOf();
    expect(verified).toMatchObject({ accessKeyId: user.accessKeyId, verifiedAt: expect.any(String) });
    expect(verified?.failingSince).toBeUndefined();

    await removeRgwKey(rgw, user.uid, user.accessKeyId);
    await handlers['credentials:checkHealth']({});
    const failing = await healthOf();
    expect(failing).toMatchObject({ verifiedAt: verified!.verifiedAt, failingSince: expect.any(String), failure: { reason: 'revoked or unknown key', error: { providerCode: 'InvalidAccessKeyId' } } });
    await handlers['credentials:checkHealth']({ ids: [saved.id] });
    expect((await healthOf())?.failingSince).toBe(failing!.failingSince);

    await addRgwKey(rgw, user.uid, user.accessKeyId, user.secretAccessKey);
    await handlers['credentials:checkHealth']({ ids: [saved.id] });
    const recovered = await healthOf();
    expect(recovered?.failingSince).toBeUndefined();
    expect(recovered?.failure).toBeUndefined();
    expect(recovered!.verifiedAt! > verified!.verifiedAt!).toBe(true);
  });

  it('after a rotation the new key is checked (credentials:changed), without a request for a label change', async () => {
    const { ctx, handlers, addAccount } = await app();
    const user = await createRgwUser(rgw, 'rotcheck');
    const account = await addAccount(user.uid);
    const id = (await handlers['keys:create']({ accountId: account.id, saveInKeychain: true })).savedCredentials[0].id;
    await handlers['credentials:checkHealth']({ ids: [id] });
    ctx.health.start();
    const health = () => ctx.metadata.health(id);
    const checkedAt = health()!.checkedAt;

    await handlers['credentials:update']({ id, label: 'renamed' });
    expect(ctx.health.isChecking(id)).toBe(false);
    expect(health()!.checkedAt).toBe(checkedAt);

    const rotated = await ctx.rotation.rotate(id);
    await until(() => health()?.accessKeyId === rotated.newAccessKeyId);
    expect(health()).toMatchObject({ verifiedAt: expect.any(String) });
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i > 3000) throw new Error('condition not met within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
