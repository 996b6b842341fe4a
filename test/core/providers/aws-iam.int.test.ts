import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adapter } from '../../../src-main/core/providers/aws-iam';
import { startFakeIam } from '../../servers/fake-iam';
import { freePort } from '../../servers/rgw';

const ALICE_KEY = 'AKIAALICE00000000000';

describe('AWS IAM adapter against a local IAM Query API', () => {
  let iam: Awaited<ReturnType<typeof startFakeIam>>;

  beforeAll(async () => {
    iam = await startFakeIam({ [ALICE_KEY]: 'alice' }, ['alice', 'bob', 'carol']);
  });
  afterAll(async () => {
    await iam?.stop();
  });
  beforeEach(() => {
    iam.requests.length = 0;
  });

  function session(settings: Record<string, string> = {}, secrets: Record<string, string> = {}) {
    return adapter.connect({
      accountId: 'iam-test',
      settings: { accessKeyId: ALICE_KEY, endpoint: iam.endpoint, ...settings },
      secrets: { secretAccessKey: 'alice-secret', ...secrets },
    });
  }

  it('sends signed Query API requests and parses the created key', async () => {
    const created = await session().createKey({});
    expect(created).toMatchObject({
      accessKeyId: expect.stringMatching(/^AKIA[0-9A-F]{16}$/),
      secretAccessKey: expect.any(String),
      status: 'active',
      owner: 'alice',
      createdAt: '2025-01-02T03:04:05.000Z',
    });
    expect(created.id).toBe(created.accessKeyId);

    const [request] = iam.requests;
    expect(request.action).toBe('CreateAccessKey');
    // No UserName: IAM acts on the caller.
    expect(request.params).toEqual({ Version: '2010-05-08' });
    expect(request.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${ALICE_KEY}/\\d{8}/us-east-1/iam/aws4_request, SignedHeaders=.+, Signature=[0-9a-f]{64}$`));
    await session().deleteKey!(created.accessKeyId, {});
  });

  it("manages another user's keys and reports AWS's limit of two at the third", async () => {
    const bob = session({ userName: 'bob' });
    const first = await bob.createKey({});
    const second = await bob.createKey({});
    expect(iam.requests.map((r) => [r.action, r.params.UserName])).toEqual([
      ['CreateAccessKey', 'bob'],
      ['CreateAccessKey', 'bob'],
    ]);

    await expect(bob.createKey({})).rejects.toMatchObject({
      code: 'LIMIT_REACHED',
      provider: 'AWS IAM',
      providerCode: 'LimitExceeded',
      status: 409,
      message: 'AWS IAM refused: AWS IAM allows 2 access keys per user (LimitExceeded) — 409',
    });

    iam.markUsed(first.accessKeyId, '2025-06-01T12:00:00Z');
    iam.requests.length = 0;
    const listed = await bob.listKeys({});
    expect(listed).toEqual([
      { id: first.accessKeyId, accessKeyId: first.accessKeyId, status: 'active', owner: 'bob', createdAt: '2025-01-02T03:04:05.000Z', lastUsedAt: '2025-06-01T12:00:00.000Z' },
      { id: second.accessKeyId, accessKeyId: second.accessKeyId, status: 'active', owner: 'bob', createdAt: '2025-01-02T03:04:05.000Z', lastUsedAt: undefined },
    ]);
    expect(iam.requests.map((r) => r.action).sort()).toEqual(['GetAccessKeyLastUsed', 'GetAccessKeyLastUsed', 'ListAccessKeys']);
    expect(iam.requests.find((r) => r.action === 'ListAccessKeys')!.params).toEqual({ Version: '2010-05-08', UserName: 'bob' });

    iam.requests.length = 0;
    await bob.setKeyActive!(first.accessKeyId, false, {});
    expect(iam.requests[0]).toMatchObject({ action: 'UpdateAccessKey', params: { Version: '2010-05-08', AccessKeyId: first.accessKeyId, Status: 'Inactive', UserName: 'bob' } });
    expect((await bob.listKeys({})).map((k) => k.status)).toEqual(['inactive', 'active']);
    await bob.setKeyActive!(first.accessKeyId, true, {});
    expect((await bob.listKeys({})).map((k) => k.status)).toEqual(['active', 'active']);

    iam.requests.length = 0;
    await bob.deleteKey!(first.accessKeyId, {});
    expect(iam.requests[0]).toMatchObject({ action: 'DeleteAccessKey', params: { Version: '2010-05-08', AccessKeyId: first.accessKeyId, UserName: 'bob' } });
    // The scope's owner wins over the account's default user.
    await session().deleteKey!(second.accessKeyId, { owner: 'bob' });
    expect(await bob.listKeys({})).toEqual([]);
  });

  it('verifies the credentials and lists users across pages', async () => {
    await expect(session().verify()).resolves.toEqual({ id: 'alice', name: 'alice' });
    iam.requests.length = 0;
    expect((await session().listOwners!()).map((o) => o.id)).toEqual(['alice', 'bob', 'carol']);
    expect(iam.requests.map((r) => [r.action, r.params.Marker])).toEqual([
      ['ListUsers', undefined],
      ['ListUsers', 'carol'],
    ]);
  });

  it('maps NoSuchEntity to NOT_FOUND with IAM’s own sentence', async () => {
    await expect(session().listKeys({ owner: 'nobody' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      providerCode: 'NoSuchEntity',
      status: 404,
      message: 'AWS IAM refused: The user with name nobody cannot be found (NoSuchEntity) — 404',
    });
    await expect(session().deleteKey!('AKIANOSUCHKEY0000000', {})).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('names the IAM action that was denied', async () => {
    await expect(session({ accessKeyId: 'AKIADENIED0000000000' }).createKey({ owner: 'bob' })).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      providerCode: 'AccessDenied',
      status: 403,
      message: 'AWS IAM refused: these credentials may not call iam:CreateAccessKey (AccessDenied) — 403',
      hint: expect.stringContaining('iam:CreateAccessKey'),
    });
    await expect(session({ accessKeyId: 'AKIADENIED0000000000' }).setKeyActive!('AKIAX', false, {})).rejects.toMatchObject({
      message: expect.stringContaining('iam:UpdateAccessKey'),
    });
  });

  it('maps rejected and expired credentials', async () => {
    await expect(session({ accessKeyId: 'AKIAUNKNOWN000000000' }).verify()).rejects.toMatchObject({ code: 'AUTH_FAILED', providerCode: 'InvalidClientTokenId', status: 403 });
    await expect(session({ accessKeyId: 'AKIABADSIGNATURE0000' }).verify()).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      providerCode: 'SignatureDoesNotMatch',
      message: expect.stringContaining('secret access key is wrong'),
    });
    iam.requests.length = 0;
    await expect(session({ accessKeyId: 'AKIAEXPIRED000000000' }, { sessionToken: 'session-token-value' }).verify()).rejects.toMatchObject({
      code: 'AUTH_EXPIRED',
      providerCode: 'ExpiredToken',
    });
    expect(iam.requests[0].securityToken).toBe('session-token-value');
  });

  it('names an unreachable endpoint as a network error', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    await expect(session({ endpoint: closed }).verify()).rejects.toMatchObject({ code: 'NETWORK', provider: 'AWS IAM' });
  });

  it('points S3 at the regional AWS endpoint with virtual-host addressing', () => {
    expect(session({ region: 'eu-west-1' }).s3Location()).toEqual({ endpoint: 'https://s3.eu-west-1.amazonaws.com', region: 'eu-west-1', forcePathStyle: false });
    expect(session().s3Location('us-west-2').endpoint).toBe('https://s3.us-west-2.amazonaws.com');
    expect(() => adapter.connect({ accountId: 'x', settings: {}, secrets: {} })).toThrow(/access key ID is missing/);
  });
});
