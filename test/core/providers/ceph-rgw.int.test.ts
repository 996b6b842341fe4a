import { describe, expect, inject, it } from 'vitest';
import { adapter } from '../../../src-main/core/providers/ceph-rgw';
import { createRgwUser } from '../../helpers/rgw-users';
import { listBucketsWith } from '../../helpers/s3-probe';
import { freePort } from '../../servers/rgw';

const rgw = inject('rgw');

function session(overrides: { settings?: Record<string, string>; secret?: string } = {}) {
  return adapter.connect({
    accountId: 'rgw-test',
    settings: { endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.admin.accessKeyId, ...overrides.settings },
    secrets: { secretAccessKey: overrides.secret ?? rgw.admin.secretAccessKey },
  });
}

const listBuckets = (accessKeyId: string, secretAccessKey: string) => listBucketsWith(session().s3Location(), accessKeyId, secretAccessKey);

describe('Ceph RGW adapter against a real RGW', () => {
  it('verifies the admin key and names its owner', async () => {
    await expect(session().verify()).resolves.toMatchObject({ id: 'admin', disabled: false });
  });

  it('creates a key that works on S3, regenerates its secret and deletes it', async () => {
    const user = await createRgwUser(rgw, 'keys');
    const rgwSession = session({ settings: { uid: user.uid } });

    const created = await rgwSession.createKey({});
    expect(created).toMatchObject({ accessKeyId: expect.any(String), owner: user.uid, status: 'active' });
    expect(created.accessKeyId).not.toBe(user.accessKeyId);
    await expect(listBuckets(created.accessKeyId, created.secretAccessKey)).resolves.toBeDefined();

    const listed = await rgwSession.listKeys({});
    expect(listed.map((k) => k.accessKeyId).sort()).toEqual([user.accessKeyId, created.accessKeyId].sort());
    await expect(rgwSession.showSecret!(created.accessKeyId, {})).resolves.toBe(created.secretAccessKey);

    const regenerated = await rgwSession.regenerateSecret!(created.accessKeyId, {});
    expect(regenerated.accessKeyId).toBe(created.accessKeyId);
    expect(regenerated.secretAccessKey).not.toBe(created.secretAccessKey);
    await expect(listBuckets(created.accessKeyId, created.secretAccessKey)).rejects.toMatchObject({
      code: 'SIGNATURE_MISMATCH',
      providerCode: 'SignatureDoesNotMatch',
      status: 403,
    });
    await expect(listBuckets(regenerated.accessKeyId, regenerated.secretAccessKey)).resolves.toBeDefined();

    await rgwSession.deleteKey!(created.accessKeyId, {});
    await expect(listBuckets(regenerated.accessKeyId, regenerated.secretAccessKey)).rejects.toMatchObject({
      code: 'INVALID_ACCESS_KEY',
      providerCode: 'InvalidAccessKeyId',
      status: 403,
    });
    expect((await rgwSession.listKeys({})).map((k) => k.accessKeyId)).toEqual([user.accessKeyId]);
    // The user's original key is untouched throughout.
    await expect(listBuckets(user.accessKeyId, user.secretAccessKey)).resolves.toBeDefined();
  });

  it('manages the keys of another user than the default one', async () => {
    const home = await createRgwUser(rgw, 'home');
    const other = await createRgwUser(rgw, 'other');
    const rgwSession = session({ settings: { uid: home.uid } });

    const created = await rgwSession.createKey({ owner: other.uid });
    expect(created.owner).toBe(other.uid);
    expect((await rgwSession.listKeys({ owner: other.uid })).map((k) => k.accessKeyId)).toContain(created.accessKeyId);
    expect((await rgwSession.listKeys({})).map((k) => k.accessKeyId)).toEqual([home.accessKeyId]);
    await expect(listBuckets(created.accessKeyId, created.secretAccessKey)).resolves.toBeDefined();

    const owners = await rgwSession.listOwners!();
    expect(owners.map((o) => o.id)).toEqual(expect.arrayContaining(['admin', home.uid, other.uid]));

    // A key is only found under its own user: deleting it "from" another user must not touch it.
    await expect(rgwSession.deleteKey!(created.accessKeyId, {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await rgwSession.deleteKey!(created.accessKeyId, { owner: other.uid });
    expect((await rgwSession.listKeys({ owner: other.uid })).map((k) => k.accessKeyId)).toEqual([other.accessKeyId]);
  });

  it('suspends and re-enables a user', async () => {
    const user = await createRgwUser(rgw, 'susp');
    const rgwSession = session();

    await rgwSession.setOwnerSuspended!(user.uid, true);
    await expect(listBuckets(user.accessKeyId, user.secretAccessKey)).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      providerCode: 'UserSuspended',
      status: 403,
    });
    expect((await rgwSession.listOwners!()).find((o) => o.id === user.uid)).toMatchObject({ disabled: true });

    await rgwSession.setOwnerSuspended!(user.uid, false);
    await expect(listBuckets(user.accessKeyId, user.secretAccessKey)).resolves.toBeDefined();
  });

  it('does not create a key when regenerating an access key that does not exist', async () => {
    const user = await createRgwUser(rgw, 'regen');
    const rgwSession = session({ settings: { uid: user.uid } });
    await expect(rgwSession.regenerateSecret!('NOSUCHKEY00000000000', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await rgwSession.listKeys({})).map((k) => k.accessKeyId)).toEqual([user.accessKeyId]);
  });

  it('maps an unknown user to NOT_FOUND naming the user', async () => {
    await expect(session().listKeys({ owner: 'no-such-user' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      provider: 'Ceph RGW',
      providerCode: 'NoSuchUser',
      status: 404,
      message: 'Ceph RGW refused: the user "no-such-user" does not exist (NoSuchUser) — 404',
    });
  });

  it('maps a wrong admin secret and an unknown admin key to AUTH_FAILED', async () => {
    await expect(session({ secret: `${rgw.admin.secretAccessKey}x` }).verify()).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      providerCode: 'SignatureDoesNotMatch',
      status: 403,
      message: expect.stringContaining('admin secret key is wrong'),
    });
    await expect(session({ settings: { accessKeyId: 'NOSUCHADMINKEY000000' } }).verify()).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      providerCode: 'InvalidAccessKeyId',
      status: 403,
    });
  });

  it('maps a user without admin caps to ACCESS_DENIED', async () => {
    const plain = await createRgwUser(rgw, 'nocaps');
    const rgwSession = session({ settings: { accessKeyId: plain.accessKeyId }, secret: plain.secretAccessKey });
    await expect(rgwSession.listKeys({ owner: plain.uid })).rejects.toMatchObject({ code: 'ACCESS_DENIED', status: 403 });
  });

  it('names an unreachable endpoint as a network error', async () => {
    // A port that was free a moment ago (fetch refuses "bad ports" such as 1 before connecting).
    const closed = `http://127.0.0.1:${await freePort()}`;
    await expect(session({ settings: { endpoint: closed } }).verify()).rejects.toMatchObject({
      code: 'NETWORK',
      message: expect.stringContaining('connection refused'),
    });
  });

  it('refuses to act without a user and reports missing settings', async () => {
    await expect(session().listKeys({})).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(() => session({ settings: { endpoint: '' } })).toThrow(/Admin API endpoint is missing/);
  });

  it('points S3 at the same gateway with path-style addressing', () => {
    expect(session().s3Location()).toEqual({ endpoint: rgw.endpoint, region: rgw.region, forcePathStyle: true });
  });
});
