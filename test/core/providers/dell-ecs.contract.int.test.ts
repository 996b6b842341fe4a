import { describe, expect, it } from 'vitest';
import type { ProviderSession } from '../../../src-main/core/providers/adapter';
import { adapter } from '../../../src-main/core/providers/dell-ecs';
import { providerSpec, SPECS_MISSING, type LocalRequest } from '../../servers/prism';
import { graceScheduler } from '../../helpers/grace-contract';
import { useContractServer } from '../../helpers/provider-contract';

const spec = providerSpec('dell-ecs-management-4.1.json');
if (!spec) console.warn(SPECS_MISSING);

const BASIC = `Basic ${Buffer.from('nsadmin:pw').toString('base64')}`;
// The spec's examples for GET /object/user-secret-keys/{uid}/{namespace} and the create answer.
const SLOT_1_SECRET = 'E3NLqO/uSK38WV2ZI9V5D95Kf7jq9u9N/8y1Q35H';
const NEW_SECRET = 'R6JUtI6hK2rDxY2fKuaQ51OL2tfyoHjPp8xL2y3T';

/**
 * The published spec cannot serve the sign-in: it attaches only the token scheme (X-SDS-AUTH-TOKEN) to
 * GET /login, though BasicAuth is declared "for login endpoint", and it declares no X-SDS-AUTH-TOKEN
 * response header. So the proxy answers /login as ECS does; every other call goes to Prism, which checks
 * that the token header is there.
 */
function login(request: LocalRequest) {
  if (request.method !== 'GET' || !request.path.startsWith('/login')) return undefined;
  if (request.headers.authorization !== BASIC) return { status: 401, body: { code: 1008, description: 'Authentication failed', retryable: false } };
  return { status: 200, headers: { 'x-sds-auth-token': 'token-from-login' }, body: { user: 'nsadmin' } };
}

describe.skipIf(!spec)('Dell ECS adapter against the published management API spec (Prism)', () => {
  // The spec's first create example is a request body; example_1 is the answer ECS gives.
  const contract = useContractServer(spec!, {
    answer: login,
    prefer: (method, path) => (method === 'POST' && /^\/object\/user-secret-keys\/[^/]+$/.test(path) ? 'example_1' : undefined),
  });

  function session(): ProviderSession {
    contract.reset();
    return adapter.connect({
      accountId: 'ecs-contract',
      settings: { managementUrl: contract.proxyUrl, username: 'nsadmin', namespace: 'ns1', objectUser: 'testlogin', s3Endpoint: 'https://ecs.example.com:9021' },
      secrets: { password: 'pw' },
    });
  }

  const slot1 = { id: 'secret-1', accessKeyId: 'testlogin', status: 'active', createdAt: '2015-02-25T11:16:52.998Z', owner: 'testlogin' };

  it('signs in once and lists the user’s secret slots as keys of the user ID', async () => {
    const s = session();
    await expect(s.verify()).resolves.toEqual({ id: 'nsadmin', name: 'nsadmin' });
    await expect(s.listKeys({})).resolves.toEqual([slot1]);
    await expect(s.showSecret!('secret-1', {})).resolves.toBe(SLOT_1_SECRET);
    expect(contract.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      'GET /login 200',
      'GET /object/user-secret-keys/testlogin/ns1 200',
      'GET /object/user-secret-keys/testlogin/ns1 200',
    ]);
  });

  it('adds a second secret without ending the existing one', async () => {
    const s = session();
    // Prism is stateless: the listing after the add still shows the example's one slot, which carries the
    // new secret's hash, so the adapter places the new secret there.
    await expect(s.createKey({ owner: 'testlogin' })).resolves.toEqual({ ...slot1, secretAccessKey: NEW_SECRET });
    expect(contract.calls.filter((c) => !c.local).map((c) => [c.method, c.path, c.status, c.body])).toEqual([
      ['GET', '/object/user-secret-keys/testlogin/ns1', 200, undefined],
      ['POST', '/object/user-secret-keys/testlogin', 200, { namespace: 'ns1' }],
      ['GET', '/object/user-secret-keys/testlogin/ns1', 200, undefined],
    ]);
  });

  it('sends the grace period as existing_key_expiry_time_mins when regenerating', async () => {
    const s = session();
    const renewed = await s.regenerateSecret!('secret-1', { graceMinutes: 60 });
    expect(renewed).toEqual({ ...slot1, secretAccessKey: NEW_SECRET });
    expect(contract.calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ namespace: 'ns1', existing_key_expiry_time_mins: '60' }]);
  });

  it('removes one secret through /deactivate and lists the namespace’s object users', async () => {
    const s = session();
    await s.deleteKey!('secret-1', {});
    await expect(s.listOwners!()).resolves.toEqual(
      ['testlogin', 'wuser1@sanity.local', 'wuser2@sanity.local', 'wuser3@sanity.local'].map((id) => ({ id, name: id })),
    );
    expect(contract.calls.filter((c) => !c.local).map((c) => [c.method, c.path, c.status, c.body])).toEqual([
      ['GET', '/object/user-secret-keys/testlogin/ns1', 200, undefined],
      ['POST', '/object/user-secret-keys/testlogin/deactivate', 200, { secret_key: SLOT_1_SECRET, namespace: 'ns1' }],
      ['GET', '/object/users/ns1', 200, undefined],
    ]);
  });

  it('is checked by a live Prism: requests that break the spec are refused', async () => {
    expect((await fetch(`${contract.prismUrl}/object/user-secret-keys/testlogin/ns1`)).status).toBe(401);
    const numericExpiry = await fetch(`${contract.prismUrl}/object/user-secret-keys/testlogin`, {
      method: 'POST',
      headers: { 'x-sds-auth-token': 't', 'content-type': 'application/json' },
      body: JSON.stringify({ existing_key_expiry_time_mins: 60 }),
    });
    expect(numericExpiry.status).toBe(400);
  });

  describe('grace period: Dell ECS ends the old secret itself', () => {
    const settings = () => ({ managementUrl: contract.proxyUrl, username: 'nsadmin', namespace: 'ns1', objectUser: 'testlogin', s3Endpoint: 'https://ecs.example.com:9021' });

    it('sets the grace period on the old secret when adding the new one (existing_key_expiry_time_mins, in minutes)', async () => {
      contract.reset();
      const session = adapter.connect({ accountId: 'ecs-contract', settings: settings(), secrets: { password: 'pw' } });
      await session.createKey({ owner: 'testlogin', existingKeyGraceMinutes: 7 * 1440 });
      expect(contract.calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ namespace: 'ns1', existing_key_expiry_time_mins: '10080' }]);
    });

    it('removes the expired secret when due; cannot extend or restore what ECS ends itself', async () => {
      contract.reset();
      const t = await graceScheduler(adapter, settings(), { password: 'pw' }, 'secret-1', 'secret-2', { providerEnforced: true });
      expect(await t.service.list()).toMatchObject([{ canExtend: false, canRestore: false }]);
      await expect(t.service.extend(t.entry.id, 3)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
      await expect(t.service.restore(t.entry.id)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
      await t.passDays(7);
      expect(contract.calls.filter((c) => !c.local).map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
        'GET /object/user-secret-keys/testlogin/ns1 200',
        'POST /object/user-secret-keys/testlogin/deactivate 200',
      ]);
      expect(await t.service.list()).toEqual([]);
    });
  });
});
