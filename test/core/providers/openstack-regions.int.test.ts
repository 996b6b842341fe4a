import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderSession } from '../../../src-main/core/providers/adapter';
import { adapter } from '../../../src-main/core/providers/openstack-regions';
import { createAppContext, type AppContext } from '../../../src-main/ipc/app-context';
import { keyHandlers } from '../../../src-main/ipc/handlers/keys';
import { setCatalogEndpoint, createEc2Credential, createKeystoneUser, ec2Credentials, grantRole, type KeystoneUser } from '../../helpers/keystone-users';
import { listBucketsWith } from '../../helpers/s3-probe';
import { KEYSTONE_MISSING, keystoneInstalled, startRgwWithKeystone, startTogether, useKeystones, type KeystoneInfo } from '../../servers/keystone';
import { freePort, type RgwInfo } from '../../servers/rgw';

const installed = keystoneInstalled();
if (!installed) console.warn(KEYSTONE_MISSING);

/**
 * Two regions, each its own cloud: a Keystone and an RGW that checks S3 signatures against that Keystone.
 * Region A's S3 endpoint is entered; region B's comes from its Keystone's catalog (a Swift endpoint).
 */
describe.skipIf(!installed)('OpenStack with one Keystone per region, against two real Keystones and RGWs', () => {
  let keystoneA: KeystoneInfo;
  let keystoneB: KeystoneInfo;
  let rgwA: RgwInfo;
  let rgwB: RgwInfo;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const started = Date.now();
    const keystones = await useKeystones(2);
    stops.push(keystones.stop);
    [keystoneA, keystoneB] = keystones.infos;
    const rgws = await startTogether([startRgwWithKeystone(keystoneA), startRgwWithKeystone(keystoneB)]);
    stops.push(...rgws.map((r) => r.stop));
    [rgwA, rgwB] = rgws.map((r) => r.info);
    await setCatalogEndpoint(keystoneB, 'object-store', `${rgwB.endpoint}/swift/v1/AUTH_$(project_id)s`);
    console.log(`two Keystones and two RGWs ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 600_000);
  afterAll(async () => {
    await Promise.all(stops.map((stop) => stop()));
  });

  const regionRows = (extra: Record<string, string>[] = []) =>
    JSON.stringify([{ name: 'region-a', authUrl: keystoneA.url, s3Endpoint: rgwA.endpoint }, { name: 'region-b', authUrl: keystoneB.url.replace(/\/v3$/, '') }, ...extra]);

  function session(user: KeystoneUser, regions = regionRows()): ProviderSession {
    return adapter.connect({ accountId: 'regions-test', settings: { regions, username: user.username, projectName: user.projectName }, secrets: { password: user.password } });
  }

  /** The same user and project name in both regions, with a role in each ('none' = no role there). */
  async function regionalUser(roleA: 'member' | 'reader' | 'admin' | 'none', roleB: 'member' | 'reader' | 'admin' | 'none') {
    const a = await createKeystoneUser(keystoneA, 'reg', { role: roleA });
    const b = await createKeystoneUser(keystoneB, 'reg', { role: roleB, like: a });
    return { a, b };
  }

  const listBuckets = (location: ReturnType<ProviderSession['s3Location']>, key: { accessKeyId: string; secretAccessKey: string }) =>
    listBucketsWith(location, key.accessKeyId, key.secretAccessKey);

  it("lists every region with the user's roles there and its S3 endpoint, entered or from the catalog", async () => {
    const { a } = await regionalUser('member', 'reader');
    const s = session(a);
    await expect(s.verify()).resolves.toEqual({ id: a.userId, name: a.username });
    const regions = await s.listRegions!();
    expect(regions).toEqual([
      { name: 'region-a', endpoint: rgwA.endpoint, roles: expect.arrayContaining(['member', 'reader']), refusal: undefined },
      {
        name: 'region-b',
        endpoint: rgwB.endpoint,
        roles: ['reader'],
        refusal: `You have the reader role on project ${a.projectName} in region region-b; creating or resetting keys needs member or admin.`,
      },
    ]);
    expect(s.s3Location('region-b')).toEqual({ endpoint: rgwB.endpoint, region: 'region-b', forcePathStyle: true });
  });

  it("creates one key per region; each works on its own region's S3 and nowhere else", async () => {
    const { a, b } = await regionalUser('member', 'member');
    const s = session(a);
    expect(await s.listKeys({})).toEqual([]);

    const keyA = await s.createKey({ region: 'region-a' });
    const keyB = await s.createKey({ region: 'region-b' });
    expect(keyA).toMatchObject({ region: 'region-a', owner: a.projectId, accessKeyId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(keyB).toMatchObject({ region: 'region-b', owner: b.projectId });
    expect(await ec2Credentials(keystoneA, a.userId)).toEqual([expect.objectContaining({ access: keyA.accessKeyId })]);
    expect(await ec2Credentials(keystoneB, b.userId)).toEqual([expect.objectContaining({ access: keyB.accessKeyId })]);
    expect((await s.listKeys({})).map((k) => [k.region, k.accessKeyId])).toEqual([
      ['region-a', keyA.accessKeyId],
      ['region-b', keyB.accessKeyId],
    ]);
    expect((await s.listKeys({ region: 'region-b' })).map((k) => k.accessKeyId)).toEqual([keyB.accessKeyId]);

    await expect(listBuckets(s.s3Location('region-a'), keyA)).resolves.toBeDefined();
    await expect(listBuckets(s.s3Location('region-b'), keyB)).resolves.toBeDefined();
    // Region A's key means nothing to region B's Keystone.
    await expect(listBuckets(s.s3Location('region-b'), keyA)).rejects.toMatchObject({ code: 'INVALID_ACCESS_KEY', status: 403 });

    await expect(s.createKey({ region: 'region-a' })).rejects.toMatchObject({
      code: 'LIMIT_REACHED',
      message: `Region region-a: this cloud allows one key per region, and region-a has one (${keyA.accessKeyId}).`,
    });
    await expect(s.createKey({ region: 'region-c' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('no region "region-c"') });
    expect(await ec2Credentials(keystoneA, a.userId)).toHaveLength(1);
  });

  it('refuses a reader up front, naming the role, and lets the same user create once made a member', async () => {
    const { a, b } = await regionalUser('member', 'reader');
    const s = session(a);
    await expect(s.createKey({ region: 'region-b' })).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      providerCode: 'RoleRequired',
      message: `Region region-b: You have the reader role on project ${a.projectName} in region region-b; creating keys needs member or admin.`,
      hint: expect.stringContaining('for the member role'),
    });
    expect(await ec2Credentials(keystoneB, b.userId)).toEqual([]);
    await expect(s.createKey({ region: 'region-a' })).resolves.toMatchObject({ region: 'region-a' });

    // Granted while the session holds a token with the old roles: the refusal path asks for a new token.
    await grantRole(keystoneB, b.userId, b.projectId, 'member');
    await expect(s.createKey({ region: 'region-b' })).resolves.toMatchObject({ region: 'region-b', owner: b.projectId });
    expect((await s.listRegions!())[1]).toMatchObject({ roles: expect.arrayContaining(['member']), refusal: undefined });
  });

  it('an admin may make keys; roles S3 accepts follow the account setting', async () => {
    const { a } = await regionalUser('admin', 'reader');
    await expect(session(a).createKey({ region: 'region-a' })).resolves.toMatchObject({ region: 'region-a' });
    const readers = adapter.connect({
      accountId: 'regions-test',
      settings: { regions: regionRows(), username: a.username, projectName: a.projectName, s3Roles: 'reader' },
      secrets: { password: a.password },
    });
    expect((await readers.listRegions!()).map((r) => r.refusal)).toEqual([undefined, undefined]);
  });

  it('refuses up front a region where the user has no role on the project', async () => {
    const { a, b } = await regionalUser('member', 'none');
    const s = session(a);
    await expect(s.verify()).resolves.toMatchObject({ id: a.userId });
    const [, regionB] = await s.listRegions!();
    // Without a role, Keystone's token is unscoped and lists no catalog: no S3 endpoint to learn there.
    expect(regionB).toEqual({
      name: 'region-b',
      endpoint: undefined,
      roles: [],
      refusal: `You have no role on project ${a.projectName} in region region-b; creating or resetting keys needs member or admin.`,
    });
    expect(await s.listKeys({ region: 'region-b' })).toEqual([]);
    await expect(s.createKey({ region: 'region-b' })).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      message: `Region region-b: You have no role on project ${a.projectName} in region region-b; creating keys needs member or admin.`,
    });
    expect(await ec2Credentials(keystoneB, b.userId)).toEqual([]);
  });

  it('Reset key replaces the key: on S3 through RGW and Keystone the old pair fails at once, the new one works', async () => {
    const { a } = await regionalUser('member', 'reader');
    const s = session(a);
    const old = await s.createKey({ region: 'region-a' });
    const location = s.s3Location('region-a');
    await expect(listBuckets(location, old)).resolves.toBeDefined();

    const reset = await s.regenerateSecret!(old.id, { region: 'region-a' });
    expect(reset).toMatchObject({ region: 'region-a', owner: a.projectId });
    expect(reset.accessKeyId).not.toBe(old.accessKeyId);
    await expect(listBuckets(location, old)).rejects.toMatchObject({ code: 'INVALID_ACCESS_KEY', providerCode: 'InvalidAccessKeyId', status: 403 });
    await expect(listBuckets(location, reset)).resolves.toBeDefined();
    expect((await ec2Credentials(keystoneA, a.userId)).map((c) => c.access)).toEqual([reset.accessKeyId]);
    await expect(s.regenerateSecret!(old.id, { region: 'region-a' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a reader may not reset a key made elsewhere; it is listed and stays as it was', async () => {
    const { b } = await regionalUser('member', 'reader');
    const made = await createEc2Credential(keystoneB, b);
    const s = session(b);
    expect(await s.listKeys({ region: 'region-b' })).toEqual([expect.objectContaining({ accessKeyId: made.access, region: 'region-b' })]);
    await expect(s.regenerateSecret!(made.access, { region: 'region-b' })).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      message: `Region region-b: You have the reader role on project ${b.projectName} in region region-b; resetting keys needs member or admin.`,
    });
    expect((await ec2Credentials(keystoneB, b.userId)).map((c) => c.access)).toEqual([made.access]);
  });

  it('offers no delete', () => {
    const { capabilities } = adapter.descriptor;
    expect(capabilities).toMatchObject({ canDelete: false, canRegenerate: true, resetReplacesKey: true, maxKeysPerOwner: 1, limitScope: 'region', rotation: 'regenerate' });
    expect(session({ userId: '', username: 'u', password: 'p', projectId: '', projectName: 'p' }).deleteKey).toBeUndefined();
  });

  it('reports a region that does not answer on its own, and a wrong password by region', async () => {
    const { a } = await regionalUser('member', 'member');
    const closed = `http://127.0.0.1:${await freePort()}/v3`;
    const s = session(a, regionRows([{ name: 'region-c', authUrl: closed, s3Endpoint: 'http://127.0.0.1:1' }]));
    const regions = await s.listRegions!();
    expect(regions.map((r) => r.name)).toEqual(['region-a', 'region-b', 'region-c']);
    expect(regions[0].error).toBeUndefined();
    expect(regions[2].error).toMatchObject({ code: 'NETWORK', message: expect.stringMatching(/^Region region-c: Cannot reach Keystone: nothing is listening/) });
    await expect(s.verify()).rejects.toMatchObject({ code: 'NETWORK', message: expect.stringContaining('Region region-c') });
    await expect(s.listKeys({ region: 'region-a' })).resolves.toEqual([]);

    const wrong = adapter.connect({ accountId: 'x', settings: { regions: regionRows(), username: a.username, projectName: a.projectName }, secrets: { password: 'wrong' } });
    await expect(wrong.verify()).rejects.toMatchObject({ code: 'AUTH_FAILED', status: 401, message: expect.stringMatching(/^Region region-a: Keystone refused the sign-in/) });
  });

  it('asks for the S3 endpoint of a region whose catalog lists none', async () => {
    const { a } = await regionalUser('member', 'member');
    const s = session(a, JSON.stringify([{ name: 'region-a', authUrl: keystoneA.url }]));
    await expect(s.verify()).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/^Region region-a: no S3 endpoint was entered/), hint: 'Enter the S3 endpoint of this region.' });
  });

  describe('through the keys handlers and the rotation engine', () => {
    let home: string;
    let ctx: AppContext;

    beforeAll(async () => {
      home = await mkdtemp(join(tmpdir(), 'keydesk-regions-'));
      ctx = createAppContext({ mode: 'browser', version: 'test', home, defaultHome: join(home, 'default'), openLink: async () => {}, cliCommand: 'keydesk' });
    });
    afterAll(async () => {
      for (const credential of ctx.vault.list()) await ctx.vault.remove(credential.id);
      for (const account of ctx.accounts.list()) await ctx.accounts.remove(account.id);
      await rm(home, { recursive: true, force: true });
    });

    it('creates and saves a key per region, refuses delete, resets in place and rotates with the saved credential following', async () => {
      const { a } = await regionalUser('member', 'member');
      const { account } = await ctx.accounts.add({
        providerId: 'openstack-regions',
        label: 'Regional',
        fields: { regions: regionRows(), username: a.username, password: a.password, projectName: a.projectName },
      });
      expect(JSON.parse(account.settings.regions)).toHaveLength(2);
      const keys = keyHandlers(ctx);
      const accountId = account.id;

      expect((await keys['keys:regions']({ accountId })).map((r) => r.name)).toEqual(['region-a', 'region-b']);
      const created = await keys['keys:create']({ accountId, region: 'region-b', saveInKeychain: true });
      const [saved] = created.savedCredentials;
      // Named after the region, not the project's ID: one key per region.
      expect(saved.label).toBe('Regional: region-b');
      expect(ctx.vault.get(saved.id)).toMatchObject({ endpoint: rgwB.endpoint, region: 'region-b', accessKeyId: created.key.accessKeyId });
      expect((await keys['keys:list']({ accountId, region: 'region-b' })).limit?.message).toBe('OpenStack (one Keystone per region) allows 1 key per region');
      await expect(keys['keys:create']({ accountId, region: 'region-b', saveInKeychain: false })).rejects.toMatchObject({ code: 'LIMIT_REACHED' });
      await expect(keys['keys:delete']({ accountId, keyId: created.key.id, region: 'region-b' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });

      // Reset from the keys screen: the saved credential gets the new pair.
      const reset = await keys['keys:regenerate']({ accountId, keyId: created.key.id, region: 'region-b' });
      expect(reset.savedCredentials).toEqual([saved]);
      const afterReset = await ctx.vault.connection(saved.id);
      expect(afterReset).toMatchObject({ accessKeyId: reset.key.accessKeyId, secretAccessKey: reset.key.secretAccessKey });
      await expect(listBucketsWith(afterReset, afterReset.accessKeyId, afterReset.secretAccessKey)).resolves.toBeDefined();
      await expect(listBuckets(afterReset, created.key)).rejects.toMatchObject({ code: 'INVALID_ACCESS_KEY' });

      // Rotation: strategy 'regenerate', so it asks first (no old key to fall back to), then resets in place.
      await expect(ctx.rotation.rotate(saved.id)).rejects.toMatchObject({ providerCode: 'ConfirmationRequired' });
      const rotated = await ctx.rotation.rotate(saved.id, { confirmResetInPlace: reset.key.accessKeyId });
      expect(rotated).toMatchObject({ oldAccessKeyId: reset.key.accessKeyId, oldKey: 'replaced', switched: [saved.id] });
      expect(rotated.newAccessKeyId).not.toBe(reset.key.accessKeyId);
      const afterRotation = await ctx.vault.connection(saved.id);
      expect(afterRotation.accessKeyId).toBe(rotated.newAccessKeyId);
      await expect(listBucketsWith(afterRotation, afterRotation.accessKeyId, afterRotation.secretAccessKey)).resolves.toBeDefined();
      await expect(listBuckets(afterRotation, reset.key)).rejects.toMatchObject({ code: 'INVALID_ACCESS_KEY' });
      expect((await keys['keys:list']({ accountId })).keys.map((k) => [k.region, k.accessKeyId, k.credentialId])).toEqual([['region-b', rotated.newAccessKeyId, saved.id]]);
    });
  });
});
