import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ProviderSession } from '../../../src-main/core/providers/adapter';
import { adapter } from '../../../src-main/core/providers/openstack-keystone';
import {
  createApplicationCredential,
  createKeystoneUser,
  createProject,
  ec2Credentials,
  grantRole,
  revokeTokens,
  setPassword,
  type KeystoneUser,
} from '../../helpers/keystone-users';
import { rotationFixture } from '../../helpers/rotation-fixture';
import { listBucketsWith } from '../../helpers/s3-probe';
import { KEYSTONE_MISSING, keystoneInstalled, startRgwWithKeystone, useKeystones, type KeystoneInfo } from '../../servers/keystone';
import { freePort, type RgwInfo } from '../../servers/rgw';

const installed = keystoneInstalled();
const DAY = 86_400_000;
if (!installed) console.warn(KEYSTONE_MISSING);

describe.skipIf(!installed)('OpenStack Keystone adapter against a real Keystone', () => {
  let keystone: KeystoneInfo;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const started = await useKeystones(1);
    [keystone] = started.infos;
    stop = started.stop;
  }, 600_000);
  afterAll(async () => {
    await stop?.();
  });

  function passwordSession(user: KeystoneUser, settings: Record<string, string> = {}, password = user.password): ProviderSession {
    return adapter.connect({
      accountId: 'ks-test',
      settings: {
        authUrl: keystone.url.replace(/\/v3$/, ''),
        authMethod: 'password',
        username: user.username,
        projectName: user.projectName,
        s3Endpoint: 'http://127.0.0.1:7480',
        ...settings,
      },
      secrets: { password },
    });
  }

  it('signs in with a password and names the user', async () => {
    const user = await createKeystoneUser(keystone);
    await expect(passwordSession(user).verify()).resolves.toEqual({ id: user.userId, name: user.username });
  });

  it('creates, lists, shows and deletes EC2 credentials', async () => {
    const user = await createKeystoneUser(keystone);
    const session = passwordSession(user);

    const created = await session.createKey({});
    expect(created).toMatchObject({ accessKeyId: expect.stringMatching(/^[0-9a-f]{32}$/), owner: user.projectId, status: 'active' });
    expect(created.secretAccessKey).toMatch(/^[0-9a-f]{32}$/);
    expect(await ec2Credentials(keystone, user.userId)).toEqual([expect.objectContaining({ access: created.accessKeyId, tenant_id: user.projectId })]);

    const second = await session.createKey({});
    expect((await session.listKeys({})).map((k) => k.accessKeyId).sort()).toEqual([created.accessKeyId, second.accessKeyId].sort());
    await expect(session.showSecret!(created.accessKeyId, {})).resolves.toBe(created.secretAccessKey);

    await session.deleteKey!(created.accessKeyId, {});
    expect((await ec2Credentials(keystone, user.userId)).map((c) => c.access)).toEqual([second.accessKeyId]);
    await expect(session.deleteKey!(created.accessKeyId, {})).rejects.toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
      message: expect.stringMatching(/^Keystone refused: Could not find credential.*\(Not Found\) — 404$/),
    });
  });

  it('makes keys for another project of the user and lists them per project', async () => {
    const user = await createKeystoneUser(keystone);
    const other = await createProject(keystone, 'other');
    await grantRole(keystone, user.userId, other.id, 'member');
    const session = passwordSession(user);

    const home = await session.createKey({});
    const away = await session.createKey({ owner: other.id });
    expect(away.owner).toBe(other.id);
    expect((await session.listKeys({ owner: other.id })).map((k) => k.accessKeyId)).toEqual([away.accessKeyId]);
    expect((await session.listKeys({ owner: user.projectId })).map((k) => k.accessKeyId)).toEqual([home.accessKeyId]);
  });

  it('refuses up front a project where the user has no role, or only one S3 does not accept, naming it', async () => {
    const user = await createKeystoneUser(keystone);
    const session = passwordSession(user);
    // Keystone itself would create both: the keys would then fail on S3.
    const stranger = await createProject(keystone, 'stranger');
    await expect(session.createKey({ owner: stranger.id })).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      providerCode: 'RoleRequired',
      message: `You have no role on project ${stranger.id}; creating keys needs member or admin.`,
    });
    const readOnly = await createProject(keystone, 'readonly');
    await grantRole(keystone, user.userId, readOnly.id, 'reader');
    await expect(session.createKey({ owner: readOnly.id })).rejects.toMatchObject({
      message: `You have the reader role on project ${readOnly.name}; creating keys needs member or admin.`,
      hint: `Ask an admin of project ${readOnly.name} for the member role: a key made without it is refused by S3.`,
    });
    expect(await ec2Credentials(keystone, user.userId)).toEqual([]);

    // The account's own project: a reader there is refused too, and allowed once made a member.
    const reader = await createKeystoneUser(keystone, 'reader', { role: 'reader' });
    const readerSession = passwordSession(reader);
    await expect(readerSession.createKey({})).rejects.toMatchObject({ message: `You have the reader role on project ${reader.projectName}; creating keys needs member or admin.` });
    await grantRole(keystone, reader.userId, reader.projectId, 'member');
    await expect(readerSession.createKey({})).resolves.toMatchObject({ owner: reader.projectId });
  });

  it("adds an account whose project the user has no role on, and refuses its keys with that reason", async () => {
    const user = await createKeystoneUser(keystone, 'norole', { role: 'none' });
    const session = passwordSession(user);
    await expect(session.verify()).resolves.toEqual({ id: user.userId, name: user.username });
    await expect(session.createKey({})).rejects.toMatchObject({ code: 'ACCESS_DENIED', message: `You have no role on project ${user.projectName}; creating keys needs member or admin.` });
    expect(await ec2Credentials(keystone, user.userId)).toEqual([]);
  });

  it('refuses a second set for a project when the cloud allows one per project', async () => {
    const user = await createKeystoneUser(keystone);
    const session = passwordSession(user, { oneCredentialPerProject: 'true' });
    expect(session.limits).toEqual({ maxKeysPerOwner: 1, limitScope: 'project' });
    expect(passwordSession(user).limits).toBeUndefined();

    const first = await session.createKey({});
    await expect(session.createKey({})).rejects.toMatchObject({
      code: 'LIMIT_REACHED',
      message: expect.stringContaining(`project ${user.projectId} already has one (${first.accessKeyId})`),
    });
    expect(await ec2Credentials(keystone, user.userId)).toHaveLength(1);

    // Another project still gets its one set.
    const other = await createProject(keystone, 'second');
    await grantRole(keystone, user.userId, other.id, 'member');
    await expect(session.createKey({ owner: other.id })).resolves.toMatchObject({ owner: other.id });
  });

  it('explains that an application credential may not manage EC2 credentials', async () => {
    const user = await createKeystoneUser(keystone);
    const appCredential = await createApplicationCredential(keystone, user);
    const session = adapter.connect({
      accountId: 'ks-app',
      settings: { authUrl: keystone.url, authMethod: 'application_credential', applicationCredentialId: appCredential.id, s3Endpoint: 'http://127.0.0.1:7480' },
      secrets: { applicationCredentialSecret: appCredential.secret },
    });
    await expect(session.verify()).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      status: 403,
      message: expect.stringContaining('Delegated tokens cannot access credentials directly'),
      hint: expect.stringContaining('user name and password'),
    });
  });

  it('rejects a wrong password and a wrong application credential secret', async () => {
    const user = await createKeystoneUser(keystone);
    await expect(passwordSession(user, {}, 'wrong-password').verify()).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      status: 401,
      message: expect.stringMatching(/^Keystone refused the sign-in: .*— 401$/),
    });
    const appCredential = await createApplicationCredential(keystone, user);
    const session = adapter.connect({
      accountId: 'ks-app',
      settings: { authUrl: keystone.url, authMethod: 'application_credential', applicationCredentialId: appCredential.id },
      secrets: { applicationCredentialSecret: 'wrong' },
    });
    await expect(session.verify()).rejects.toMatchObject({ code: 'AUTH_FAILED', status: 401 });
  });

  it('signs in again when the cached token is revoked', async () => {
    const user = await createKeystoneUser(keystone);
    const session = passwordSession(user);
    // Provider calls are node:http requests (transport/request.ts); Keystone here is plain HTTP.
    const requests = vi.spyOn(http, 'request');
    const signIns = () => requests.mock.calls.filter(([url]) => String(url) === `${keystone.url}/auth/tokens`).length;
    try {
      await session.verify();
      await session.listKeys({});
      expect(signIns()).toBe(1); // the token is cached between calls
      await revokeTokens(keystone, user.userId);
      // Keystone revocation events have one-second resolution: a token issued in the same second is revoked too.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const before = signIns();
      await expect(session.listKeys({})).resolves.toEqual([]);
      expect(signIns() - before).toBe(1);
    } finally {
      requests.mockRestore();
    }
  });

  it('reports AUTH_EXPIRED when the token is revoked and signing in again fails', async () => {
    const user = await createKeystoneUser(keystone);
    const session = passwordSession(user);
    await session.verify();
    await setPassword(keystone, user.userId, 'a-new-password-0');
    await expect(session.listKeys({})).rejects.toMatchObject({
      code: 'AUTH_EXPIRED',
      status: 401,
      message: expect.stringContaining('The Keystone sign-in expired and signing in again failed'),
    });
  });

  it('names an unreachable auth URL as a network error and checks settings', async () => {
    const user = await createKeystoneUser(keystone);
    const closed = `http://127.0.0.1:${await freePort()}/v3`;
    await expect(passwordSession(user, { authUrl: closed }).verify()).rejects.toMatchObject({ code: 'NETWORK', message: expect.stringContaining('connection refused') });
    await expect(passwordSession(user, { username: '' }).verify()).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('user name') });
    expect(passwordSession(user).s3Location()).toEqual({ endpoint: 'http://127.0.0.1:7480', region: 'us-east-1', forcePathStyle: true });
    expect(() => passwordSession(user, { s3Endpoint: '' }).s3Location()).toThrow(/S3 endpoint is missing/);
  });

  describe('keys on an RGW that checks S3 signatures against this Keystone', () => {
    let rgw: RgwInfo;
    let stopRgw: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      const started = await startRgwWithKeystone(keystone);
      rgw = started.info;
      stopRgw = started.stop;
    });
    afterAll(async () => {
      await stopRgw?.();
    });

    it('a created credential works on S3 and is refused once deleted', async () => {
      const user = await createKeystoneUser(keystone);
      const session = passwordSession(user, { s3Endpoint: rgw.endpoint, s3Region: rgw.region });
      const listBuckets = (accessKeyId: string, secretAccessKey: string) => listBucketsWith(session.s3Location(), accessKeyId, secretAccessKey);

      const created = await session.createKey({});
      await expect(listBuckets(created.accessKeyId, created.secretAccessKey)).resolves.toBeDefined();
      await expect(listBuckets(created.accessKeyId, `${created.secretAccessKey}x`)).rejects.toMatchObject({ code: 'SIGNATURE_MISMATCH', status: 403 });
      await session.deleteKey!(created.accessKeyId, {});
      await expect(listBuckets(created.accessKeyId, created.secretAccessKey)).rejects.toMatchObject({
        code: 'INVALID_ACCESS_KEY',
        providerCode: 'InvalidAccessKeyId',
        status: 403,
      });
    });

    // Rotation with a grace period, on the same servers.
    async function keystoneFixture() {
      const user = await createKeystoneUser(keystone);
      const fields = {
        authUrl: keystone.url.replace(/\/v3$/, ''),
        authMethod: 'password',
        username: user.username,
        password: user.password,
        projectName: user.projectName,
        s3Endpoint: rgw.endpoint,
        s3Region: rgw.region,
      };
      const { password, ...settings } = fields;
      const original = await adapter.connect({ accountId: 'ks-setup', settings, secrets: { password } }).createKey({});
      const t = await rotationFixture(rgw, {}, { providerId: 'openstack-keystone', fields, key: original });
      const revocations = t.revocationService();
      await revocations.start();
      return { ...t, revocations, original };
    }

    const withKeychain = it.skipIf(!process.env.DBUS_SESSION_BUS_ADDRESS);

    withKeychain('keeps the old EC2 credential working through the grace period, deletes it when due (S3 refuses it then)', async () => {
      const t = await keystoneFixture();
      const result = await t.engine().rotate(t.credential.id);
      expect(result).toMatchObject({ oldKey: 'kept', pending: { state: 'active', then: 'delete' } });
      expect(await t.works(t.original.accessKeyId, t.original.secretAccessKey)).toBe(true);
      const saved = await t.vault.connection(t.twin.id);
      expect(await t.works(saved.accessKeyId, saved.secretAccessKey)).toBe(true);
      await t.revocations.idle();
      t.clock.advance(7 * DAY + 1000);
      await t.revocations.idle();
      expect(await t.works(t.original.accessKeyId, t.original.secretAccessKey)).toBe(false);
      expect(await t.expectOneWorkingKey('new')).toBe(result.newAccessKeyId);
    });

    withKeychain('"Report leaked…" deletes the EC2 credential first (Keystone cannot switch one off), then replaces it for both saved credentials', async () => {
      const t = await keystoneFixture();
      const plan = await t.leak().plan({ credentialId: t.credential.id });
      expect(plan).toMatchObject({ providerName: 'OpenStack (Keystone EC2 credentials)', stops: [{ stop: 'delete' }], defaultStop: 'delete', switches: [{ id: t.credential.id }, { id: t.twin.id }] });
      const result = await t.leak().report({ credentialId: t.credential.id }, { stop: 'delete', confirm: true });
      expect(result).toMatchObject({ stopped: 'deleted', accessKeyId: t.original.accessKeyId, switched: [{ id: t.credential.id }, { id: t.twin.id }] });
      expect(result.unverified).toBeUndefined();
      expect(await t.works(t.original.accessKeyId, t.original.secretAccessKey)).toBe(false);
      expect(await t.expectOneWorkingKey('new')).toBe(result.newAccessKeyId);
    });

    withKeychain('restores the old credential, then revokes the new one', async () => {
      const t = await keystoneFixture();
      const { pending } = await t.engine().rotate(t.credential.id);
      await t.revocations.restore(pending!.id);
      await t.revocations.revokeNow(pending!.id);
      await t.expectOneWorkingKey('old');
    });
  });
});
