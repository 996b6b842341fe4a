import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountContext } from '../../../src-main/core/providers/adapter';
import { adapter } from '../../../src-main/core/providers/dell-ecs';
import { startJsonServer, type JsonAnswer, type RecordedRequest } from '../../helpers/json-server';

/**
 * A stand-in for the ECS management API: GET /login with Basic auth hands out X-SDS-AUTH-TOKEN (which
 * the test can revoke), and one object user "app" has two secret slots. Errors come as ECS sends them:
 * {code, description, details, retryable}.
 */
interface Slot {
  secret: string;
  created: string;
  expiry?: string;
}

let server: Awaited<ReturnType<typeof startJsonServer>>;
let password: string;
let validTokens: Set<string>;
let logins: number;
let slots: [Slot | undefined, Slot | undefined];
let hideSecrets: boolean;

const ecsError = (status: number, code: number, description: string, details?: string, retryable = false): JsonAnswer => ({
  status,
  body: { code, description, details, retryable },
});

const hash = (secret: string) => `sha256-of-${secret}`;

function handle(request: RecordedRequest): JsonAnswer {
  if (request.path === '/login') {
    if (request.headers.authorization !== `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`) return ecsError(401, 1008, 'Authentication failed');
    const token = `token-${++logins}`;
    validTokens.add(token);
    return { status: 200, headers: { 'x-sds-auth-token': token }, body: { user: 'admin' } };
  }
  if (!validTokens.has(String(request.headers['x-sds-auth-token']))) return ecsError(401, 1008, 'Token is invalid or expired');
  if (request.path === '/object/user-secret-keys/ghost/ns1') return ecsError(400, 1004, 'Unable to find entity specified in URL', 'User ghost not found');
  if (request.method === 'GET' && request.path === '/object/user-secret-keys/app/ns1') {
    const body: Record<string, unknown> = {};
    slots.forEach((slot, i) => {
      const n = i + 1;
      body[`secret_key_${n}`] = slot && !hideSecrets ? slot.secret : '';
      body[`secret_key_${n}_exist`] = Boolean(slot);
      body[`key_timestamp_${n}`] = slot?.created ?? '';
      body[`key_expiry_timestamp_${n}`] = slot?.expiry ?? '';
      if (slot) body[`secret_key_${n}_id`] = hash(slot.secret);
    });
    return { status: 200, body };
  }
  if (request.method === 'POST' && request.path === '/object/user-secret-keys/app') {
    const free = slots.findIndex((s) => !s);
    if (free < 0) return ecsError(400, 1008, 'Invalid Parameter', 'User app already has two valid keys');
    const minutes = (request.body as { existing_key_expiry_time_mins?: string }).existing_key_expiry_time_mins;
    if (minutes !== undefined) slots[1 - free]!.expiry = new Date(Date.now() + Number(minutes) * 60_000).toISOString().replace('T', ' ').replace('Z', '');
    const secret = `new-secret-${free + 1}`;
    slots[free] = { secret, created: '2026-03-04 05:06:07.890' };
    return { status: 200, body: { secret_key: secret, key_timestamp: '2026-03-04 05:06:07.890', secret_key_id: hash(secret) } };
  }
  if (request.method === 'POST' && request.path === '/object/user-secret-keys/app/deactivate') {
    const { secret_key, secret_key_id } = request.body as { secret_key?: string; secret_key_id?: string };
    const i = slots.findIndex((s) => s && (s.secret === secret_key || hash(s.secret) === secret_key_id));
    if (i < 0) return ecsError(400, 1004, 'Unable to find entity specified in URL', 'Secret key not found');
    slots[i] = undefined;
    return { status: 200, body: {} };
  }
  if (request.path === '/object/users/ns1') return ecsError(500, 6503, 'Internal error', 'Service temporarily unavailable', true);
  return ecsError(404, 1004, 'Unable to find entity specified in URL');
}

function account(): AccountContext {
  return {
    accountId: 'ecs',
    settings: { managementUrl: server.url, username: 'admin', namespace: 'ns1', objectUser: 'app', s3Endpoint: 'https://ecs.example.com:9021' },
    secrets: { password: 'pw' },
  };
}

beforeEach(async () => {
  password = 'pw';
  validTokens = new Set();
  logins = 0;
  slots = [{ secret: 'first-secret', created: '2026-01-02 03:04:05.678' }, undefined];
  hideSecrets = false;
  server = await startJsonServer(handle);
});
afterEach(async () => {
  await server.stop();
});

const paths = () => server.requests.map((r) => `${r.method} ${r.path}`);

describe('Dell ECS adapter', () => {
  it('signs in once and reuses the token', async () => {
    const session = adapter.connect(account());
    await session.listKeys({});
    await session.listKeys({});
    expect(paths()).toEqual(['GET /login', 'GET /object/user-secret-keys/app/ns1', 'GET /object/user-secret-keys/app/ns1']);
    expect(server.requests[1].headers['x-sds-auth-token']).toBe('token-1');
  });

  it('signs in again once when ECS drops the token', async () => {
    const session = adapter.connect(account());
    await session.listKeys({});
    validTokens.clear();
    await expect(session.listKeys({})).resolves.toHaveLength(1);
    expect(paths().slice(2)).toEqual(['GET /object/user-secret-keys/app/ns1', 'GET /login', 'GET /object/user-secret-keys/app/ns1']);
  });

  it('says the sign-in expired when signing in again fails, and that it failed when the first one does', async () => {
    const session = adapter.connect(account());
    await session.listKeys({});
    validTokens.clear();
    password = 'changed';
    await expect(session.listKeys({})).rejects.toMatchObject({
      code: 'AUTH_EXPIRED',
      status: 401,
      message: 'The Dell ECS sign-in expired and signing in again failed: Dell ECS refused the sign-in: Authentication failed (1008) — 401',
    });
    await expect(adapter.connect(account()).verify()).rejects.toMatchObject({ code: 'AUTH_FAILED', providerCode: '1008', hint: expect.stringContaining('password') });
  });

  it('lists each filled secret slot as a key of the user ID, with the expiry ECS reports', async () => {
    slots[1] = { secret: 'second-secret', created: '2026-02-03 04:05:06.000', expiry: '2020-01-01 00:00:00.000' };
    await expect(adapter.connect(account()).listKeys({})).resolves.toEqual([
      { id: 'secret-1', accessKeyId: 'app', status: 'active', createdAt: '2026-01-02T03:04:05.678Z', owner: 'app' },
      { id: 'secret-2', accessKeyId: 'app', status: 'inactive', createdAt: '2026-02-03T04:05:06.000Z', expiresAt: '2020-01-01T00:00:00.000Z', owner: 'app' },
    ]);
  });

  it('adds the second secret, and refuses a third up front', async () => {
    const session = adapter.connect(account());
    await expect(session.createKey({})).resolves.toEqual({
      id: 'secret-2',
      accessKeyId: 'app',
      status: 'active',
      createdAt: '2026-03-04T05:06:07.890Z',
      owner: 'app',
      secretAccessKey: 'new-secret-2',
    });
    expect(server.requests.find((r) => r.method === 'POST')?.body).toEqual({ namespace: 'ns1' });
    const before = server.requests.length;
    await expect(session.createKey({})).rejects.toMatchObject({ code: 'LIMIT_REACHED', message: 'Dell ECS allows 2 secret keys per user, and app already has 2.' });
    expect(server.requests.slice(before).map((r) => r.method)).toEqual(['GET']);
  });

  it('regenerates with a grace period: the old secret gets an expiry, the new one takes the free slot', async () => {
    const renewed = await adapter.connect(account()).regenerateSecret!('secret-1', { graceMinutes: 30 });
    expect(renewed).toMatchObject({ id: 'secret-2', accessKeyId: 'app', secretAccessKey: 'new-secret-2' });
    expect(server.requests.find((r) => r.method === 'POST')?.body).toEqual({ namespace: 'ns1', existing_key_expiry_time_mins: '30' });
    const [old] = await adapter.connect(account()).listKeys({});
    expect(Date.parse(old.expiresAt!) - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(old.status).toBe('active');
  });

  it('removes one secret through /deactivate, by its hash when the cluster hides secrets', async () => {
    slots[1] = { secret: 'second-secret', created: '2026-02-03 04:05:06.000' };
    const session = adapter.connect(account());
    await session.deleteKey!('secret-1', {});
    expect(server.requests.at(-1)).toMatchObject({ path: '/object/user-secret-keys/app/deactivate', body: { secret_key: 'first-secret', namespace: 'ns1' } });
    hideSecrets = true;
    await expect(session.showSecret!('secret-2', {})).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await session.deleteKey!('secret-2', {});
    expect(server.requests.at(-1)?.body).toEqual({ secret_key_id: 'sha256-of-second-secret', namespace: 'ns1' });
    await expect(session.listKeys({})).resolves.toEqual([]);
    await expect(session.deleteKey!('secret-1', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('turns ECS error bodies into sentences with the ECS code and HTTP status', async () => {
    const session = adapter.connect(account());
    await expect(session.listKeys({ owner: 'ghost' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      providerCode: '1004',
      status: 400,
      message: 'Dell ECS refused: Unable to find entity specified in URL: User ghost not found (1004) — 400',
    });
    await expect(session.listOwners!()).rejects.toMatchObject({
      code: 'PROVIDER',
      status: 500,
      message: 'Dell ECS refused: Internal error: Service temporarily unavailable (6503) — 500',
      hint: 'ECS says the request may succeed if you try again.',
    });
  });
});
