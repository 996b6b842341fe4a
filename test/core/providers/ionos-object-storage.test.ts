import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountContext } from '../../../src-main/core/providers/adapter';
import { adapter, createSession, type PollTiming } from '../../../src-main/core/providers/ionos-object-storage';
import { startJsonServer, type RecordedRequest } from '../../helpers/json-server';

/**
 * A stand-in for the IONOS Object Storage Management API in the shapes of its SDK (AccessKeyRead with
 * `metadata.status`): new and renewed keys stay PROVISIONING for as many reads as their description
 * says ("reads:2"), then become AVAILABLE — or FAILED for "fail", or never for "stuck". Like the real
 * API it returns the secret only from create and renew.
 */
interface FakeKey {
  id: string;
  description: string;
  accessKey: string;
  secret: string;
  status: 'AVAILABLE' | 'PROVISIONING' | 'DESTROYING' | 'FAILED';
  readsLeft: number;
}

const FAST: PollTiming = { firstDelayMs: 5, maxDelayMs: 20, timeoutMs: 1000 };

let server: Awaited<ReturnType<typeof startJsonServer>>;
let keys: Map<string, FakeKey>;
let serial = 0;

function read(key: FakeKey, withSecret: boolean) {
  return {
    id: key.id,
    type: 'accesskey',
    href: `/accesskeys/${key.id}`,
    metadata: { status: key.status, createdDate: '2026-01-02T03:04:05Z', supportedRegions: ['eu-central-3'], ...(key.status === 'FAILED' && { statusMessage: 'Quota exceeded.' }) },
    properties: { description: key.description, accessKey: key.accessKey, ...(withSecret && { secretKey: key.secret }), canonicalUserId: 'canon-1', contractUserId: 'contract-1' },
  };
}

function provisioning(key: FakeKey) {
  key.status = 'PROVISIONING';
  key.readsLeft = /stuck/.test(key.description) ? Infinity : Number(/reads:(\d+)/.exec(key.description)?.[1] ?? 0);
}

function handle(request: RecordedRequest) {
  if (request.headers.authorization !== 'Bearer good-token') {
    return { status: 401, body: { httpStatus: 401, messages: [{ errorCode: 'paas-auth-1', message: 'Unauthorized, wrong or expired token.' }] } };
  }
  const url = new URL(request.path, 'http://x');
  const [, , id, action] = url.pathname.split('/');
  const key = id ? keys.get(id) : undefined;
  if (id && !key) return { status: 404, body: { httpStatus: 404, messages: [{ errorCode: 'paas-res-1', message: 'Access key not found.' }] } };
  if (request.method === 'GET' && !key) {
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 100);
    return { status: 200, body: { id: 'accesskeys', type: 'collection', href: '/accesskeys', offset, limit, items: [...keys.values()].slice(offset, offset + limit).map((k) => read(k, false)) } };
  }
  if (request.method === 'POST') {
    const description = (request.body as { properties: { description: string } }).properties.description;
    const created: FakeKey = { id: `id-${++serial}`, description, accessKey: `AK${serial}`, secret: `secret-${serial}`, status: 'PROVISIONING', readsLeft: 0 };
    provisioning(created);
    keys.set(created.id, created);
    return { status: 202, body: read(created, true) };
  }
  if (request.method === 'GET' && key) {
    if (key.readsLeft > 0) key.readsLeft--;
    else if (key.status === 'PROVISIONING') key.status = /fail/.test(key.description) ? 'FAILED' : 'AVAILABLE';
    return { status: 200, body: read(key, false) };
  }
  if (request.method === 'PUT' && key && action === 'renew') {
    key.secret = `renewed-${++serial}`;
    provisioning(key);
    return { status: 202, body: read(key, true) };
  }
  if (request.method === 'PUT' && key) {
    key.description = (request.body as { properties: { description: string } }).properties.description;
    return { status: 202, body: read(key, false) };
  }
  if (request.method === 'DELETE' && key) {
    key.status = 'DESTROYING';
    return { status: 202 };
  }
  return { status: 405, body: { httpStatus: 405, messages: [{ errorCode: 'paas-req-1', message: 'Method not allowed.' }] } };
}

function account(token = 'good-token', signal?: AbortSignal): AccountContext {
  return { accountId: 'ionos-os', settings: { apiUrl: server.url }, secrets: { token }, signal };
}

beforeEach(async () => {
  keys = new Map();
  serial = 0;
  server = await startJsonServer(handle);
});
afterEach(async () => {
  await server.stop();
});

const calls = () => server.requests.map((r) => `${r.method} ${new URL(r.path, 'http://x').pathname}`);

describe('IONOS Object Storage adapter', () => {
  it('creates a key, waits while it is PROVISIONING and returns it AVAILABLE with the secret from the create answer', async () => {
    const created = await createSession(account(), FAST).createKey({ description: 'backup reads:2' });
    expect(created).toEqual({
      id: 'id-1',
      accessKeyId: 'AK1',
      description: 'backup reads:2',
      status: 'active',
      createdAt: '2026-01-02T03:04:05Z',
      secretAccessKey: 'secret-1',
    });
    expect(calls()).toEqual(['POST /accesskeys', 'GET /accesskeys/id-1', 'GET /accesskeys/id-1', 'GET /accesskeys/id-1']);
    expect(server.requests[0].body).toEqual({ properties: { description: 'backup reads:2' } });
  });

  it('renews a secret (regenerate) and waits for the key again', async () => {
    const session = createSession(account(), FAST);
    const created = await session.createKey({ description: 'app' });
    keys.get(created.id)!.description = 'app reads:1';
    const renewed = await session.regenerateSecret!(created.id, {});
    expect(renewed).toMatchObject({ id: created.id, accessKeyId: created.accessKeyId, status: 'active', secretAccessKey: expect.stringMatching(/^renewed-/) });
    expect(calls().slice(-3)).toEqual([`PUT /accesskeys/${created.id}/renew`, `GET /accesskeys/${created.id}`, `GET /accesskeys/${created.id}`]);
  });

  it('gives up after the poll timeout with a TIMEOUT that says the key is still provisioning', async () => {
    const started = Date.now();
    const error = await createSession(account(), FAST)
      .createKey({ description: 'stuck' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      provider: 'IONOS Object Storage',
      message: 'IONOS is still provisioning key AK1 after 1 s (status PROVISIONING).',
      hint: expect.stringContaining('regenerate its secret'),
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.requests.length).toBeGreaterThan(2);
  });

  it('stops waiting at once when cancelled', async () => {
    const controller = new AbortController();
    const session = createSession(account('good-token', controller.signal), { firstDelayMs: 50, maxDelayMs: 50, timeoutMs: 60_000 });
    setTimeout(() => controller.abort(), 120);
    const started = Date.now();
    await expect(session.createKey({ description: 'stuck' })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reports a key that FAILED with IONOS’s status message', async () => {
    await expect(createSession(account(), FAST).createKey({ description: 'fail reads:1' })).rejects.toMatchObject({
      code: 'PROVIDER',
      message: 'IONOS failed creating key AK1: Quota exceeded.',
    });
  });

  it('lists every page and maps the statuses', async () => {
    for (let i = 0; i < 130; i++) keys.set(`k${i}`, { id: `k${i}`, description: `key ${i}`, accessKey: `AK-${i}`, secret: 's', status: 'AVAILABLE', readsLeft: 0 });
    keys.get('k1')!.status = 'PROVISIONING';
    keys.get('k2')!.status = 'DESTROYING';
    keys.get('k3')!.status = 'FAILED';
    const listed = await adapter.connect(account()).listKeys({});
    expect(listed).toHaveLength(130);
    expect(listed.slice(0, 4).map((k) => [k.id, k.accessKeyId, k.description, k.status])).toEqual([
      ['k0', 'AK-0', 'key 0', 'active'],
      ['k1', 'AK-1', 'key 1', 'provisioning'],
      ['k2', 'AK-2', 'key 2', 'inactive'],
      ['k3', 'AK-3', 'key 3', 'failed'],
    ]);
    expect(server.requests.map((r) => r.path)).toEqual(['/accesskeys?offset=0&limit=100', '/accesskeys?offset=100&limit=100']);
  });

  it('changes the description with an AccessKeyEnsure body and deletes keys', async () => {
    keys.set('k1', { id: 'k1', description: 'old', accessKey: 'AK-1', secret: 's', status: 'AVAILABLE', readsLeft: 0 });
    const session = adapter.connect(account());
    await session.setDescription!('k1', 'new name', {});
    expect(server.requests[0]).toMatchObject({ method: 'PUT', path: '/accesskeys/k1', body: { id: 'k1', properties: { description: 'new name' } } });
    await session.deleteKey!('k1', {});
    expect((await session.listKeys({}))[0]).toMatchObject({ description: 'new name', status: 'inactive' });
  });

  it('maps IONOS error bodies to sentences that keep the error code and status', async () => {
    await expect(adapter.connect(account('expired')).listKeys({})).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      providerCode: 'paas-auth-1',
      status: 401,
      message: 'IONOS Object Storage refused: Unauthorized, wrong or expired token (paas-auth-1) — 401',
    });
    await expect(adapter.connect(account()).deleteKey!('missing', {})).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(() => adapter.connect({ accountId: 'x', settings: {}, secrets: {} }).s3Location()).not.toThrow();
    await expect(adapter.connect({ accountId: 'x', settings: { apiUrl: server.url }, secrets: {} }).listKeys({})).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('points S3 at the region’s endpoint unless one is set', () => {
    expect(adapter.connect({ accountId: 'x', settings: { s3Region: 'us-central-1' }, secrets: {} }).s3Location()).toEqual({
      endpoint: 'https://s3.us-central-1.ionoscloud.com',
      region: 'us-central-1',
      forcePathStyle: false,
    });
  });
});
