import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountContext } from '../../../src-main/core/providers/adapter';
import { adapter } from '../../../src-main/core/providers/ionos-cloud-api';
import { startJsonServer, type JsonAnswer, type RecordedRequest } from '../../helpers/json-server';

/** Cloud API v6 user S3 keys with IONOS's five-keys rule and its error body. */
let server: Awaited<ReturnType<typeof startJsonServer>>;
let keys: string[];
/** When set, IONOS refuses creation itself (a key made elsewhere since Keydesk listed). */
let refuseCreate: JsonAnswer | undefined;

const ionosError = (status: number, errorCode: string, message: string): JsonAnswer => ({ status, body: { httpStatus: status, messages: [{ errorCode, message }] } });

function handle(request: RecordedRequest): JsonAnswer {
  if (request.headers.authorization === 'Basic ' + Buffer.from('ann@example.com:wrong').toString('base64')) {
    return ionosError(401, '315', 'Unauthorized');
  }
  if (request.method === 'GET' && request.path.startsWith('/um/users?')) {
    return { status: 200, body: { items: [{ id: 'u-ann', properties: { email: 'Ann@Example.com', firstname: 'Ann', active: true, s3CanonicalUserId: 'canon-ann' } }] } };
  }
  if (request.method === 'GET' && request.path === '/um/users/u-ann/s3keys?depth=1') {
    return { status: 200, body: { items: keys.map((id) => ({ id, metadata: { createdDate: '2026-01-01T00:00:00Z' }, properties: { active: true, secretKey: `secret-of-${id}` } })) } };
  }
  if (request.method === 'POST' && request.path === '/um/users/u-ann/s3keys') {
    if (refuseCreate) return refuseCreate;
    const id = `AK${keys.length + 1}`;
    keys.push(id);
    return { status: 200, body: { id, properties: { active: true, secretKey: `secret-of-${id}` } } };
  }
  return ionosError(404, '309', 'Resource does not exist');
}

function account(settings: Record<string, string>, secrets: Record<string, string>): AccountContext {
  return { accountId: 'ionos', settings: { apiUrl: server.url, ...settings }, secrets };
}

beforeEach(async () => {
  keys = [];
  refuseCreate = undefined;
  server = await startJsonServer(handle);
});
afterEach(async () => {
  await server.stop();
});

describe('IONOS Cloud API adapter', () => {
  it('refuses a sixth key up front, without asking IONOS to make it', async () => {
    const session = adapter.connect(account({ userId: 'u-ann' }, { token: 't' }));
    for (let i = 0; i < 5; i++) await session.createKey({});
    server.requests.length = 0;
    await expect(session.createKey({})).rejects.toMatchObject({
      code: 'LIMIT_REACHED',
      provider: 'IONOS',
      message: 'IONOS allows 5 keys per user, and user u-ann already has 5.',
    });
    expect(server.requests.map((r) => r.method)).toEqual(['GET']);
    expect(adapter.descriptor.capabilities).toMatchObject({ maxKeysPerOwner: 5, limitScope: 'user' });
  });

  it('maps IONOS’s own refusal of a key over the limit to LIMIT_REACHED', async () => {
    refuseCreate = ionosError(422, '[VDC-21-7]', 'The maximum number of S3 keys per user has been reached.');
    await expect(adapter.connect(account({ userId: 'u-ann' }, { token: 't' })).createKey({})).rejects.toMatchObject({
      code: 'LIMIT_REACHED',
      providerCode: '[VDC-21-7]',
      status: 422,
      message: 'IONOS allows 5 keys per user: IONOS refused: The maximum number of S3 keys per user has been reached ([VDC-21-7]) — 422.',
    });
  });

  it('turns other IONOS error bodies into sentences with the error code and status', async () => {
    refuseCreate = ionosError(422, '100', 'Invalid request body');
    await expect(adapter.connect(account({ userId: 'u-ann' }, { token: 't' })).createKey({})).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'IONOS refused: Invalid request body (100) — 422',
    });
    await expect(adapter.connect(account({ userId: 'u-bob' }, { token: 't' })).listKeys({})).rejects.toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
      message: 'IONOS refused: Resource does not exist (309) — 404',
    });
    await expect(adapter.connect(account({ username: 'ann@example.com' }, { password: 'wrong' })).verify()).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      message: 'IONOS refused: Unauthorized (315) — 401',
      hint: expect.stringContaining('token'),
    });
  });

  it('signs in with Basic auth or a Bearer token, and finds the user by e-mail', async () => {
    keys = ['AK1'];
    const basic = adapter.connect(account({ username: 'ann@example.com' }, { password: 'pw' }));
    await expect(basic.verify()).resolves.toEqual({ id: 'u-ann', name: 'Ann@Example.com', disabled: false, canonicalId: 'canon-ann' });
    await expect(basic.listKeys({})).resolves.toEqual([{ id: 'AK1', accessKeyId: 'AK1', status: 'active', createdAt: '2026-01-01T00:00:00Z', owner: 'u-ann' }]);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      `Basic ${Buffer.from('ann@example.com:pw').toString('base64')}`,
      `Basic ${Buffer.from('ann@example.com:pw').toString('base64')}`,
    ]);
    // The user lookup is remembered for the session.
    expect(server.requests.map((r) => r.path)).toEqual(['/um/users?depth=1&offset=0&limit=100', '/um/users/u-ann/s3keys?depth=1']);

    server.requests.length = 0;
    await adapter.connect(account({ userId: 'u-ann', username: 'ann@example.com' }, { token: 'tok', password: 'pw' })).listKeys({});
    expect(server.requests[0].headers.authorization).toBe('Bearer tok');
  });

  it('signs in with the method the account chose (older accounts without a choice use a token when there is one)', async () => {
    await adapter.connect(account({ authMethod: 'password', userId: 'u-ann', username: 'ann@example.com' }, { token: 'tok', password: 'pw' })).listKeys({});
    expect(server.requests[0].headers.authorization).toBe(`Basic ${Buffer.from('ann@example.com:pw').toString('base64')}`);
    server.requests.length = 0;
    await adapter.connect(account({ authMethod: 'token', userId: 'u-ann', username: 'ann@example.com' }, { token: 'tok', password: 'pw' })).listKeys({});
    expect(server.requests[0].headers.authorization).toBe('Bearer tok');
    server.requests.length = 0;
    await expect(adapter.connect(account({ authMethod: 'token', userId: 'u-ann', username: 'ann@example.com' }, { password: 'pw' })).listKeys({})).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: "IONOS: enter the token in this account's settings.",
    });
    expect(server.requests).toEqual([]);
  });

  it('asks for what is missing instead of calling IONOS', async () => {
    await expect(adapter.connect(account({ userId: 'u-ann' }, {})).listKeys({})).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(adapter.connect(account({}, { token: 't' })).listKeys({})).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('user ID'),
    });
    expect(server.requests).toEqual([]);
  });

  it('points S3 at the chosen region or the entered endpoint', () => {
    expect(adapter.connect(account({ s3Region: 'eu-central-2' }, {})).s3Location()).toEqual({ endpoint: 'https://s3.eu-central-2.ionoscloud.com', region: 'eu-central-2', forcePathStyle: false });
    expect(adapter.connect(account({ s3Endpoint: 'https://s3.eu-central-1.ionoscloud.com/' }, {})).s3Location()).toEqual({
      endpoint: 'https://s3.eu-central-1.ionoscloud.com',
      region: 'eu-central-1',
      forcePathStyle: false,
    });
  });
});
