import { describe, expect, it } from 'vitest';
import type { ProviderSession } from '../../../src-main/core/providers/adapter';
import { adapter } from '../../../src-main/core/providers/ionos-cloud-api';
import { providerSpec, SPECS_MISSING } from '../../servers/prism';
import { graceScheduler, leakResponder } from '../../helpers/grace-contract';
import { useContractServer } from '../../helpers/provider-contract';
import type { PendingRevocation } from '../../../src-main/core/rotation/pending';

const spec = providerSpec('ionos-cloudapi-v6.yaml');
if (!spec) console.warn(SPECS_MISSING);

// The spec's examples (S3Key, User): every key and user has this ID.
const EXAMPLE_ID = '15f67991-0f51-4efc-a8ad-ef1fb31a480c';
const EXAMPLE_SECRET = 'tFVkUARsoeCdntQs2jVSyGG6TMPfPZ+ghnsWj/gG';

describe.skipIf(!spec)('IONOS Cloud API adapter against the published v6 spec (Prism)', () => {
  const contract = useContractServer(spec!);

  function session(settings: Record<string, string>, secrets: Record<string, string>): ProviderSession {
    contract.reset();
    return adapter.connect({ accountId: 'ionos-contract', settings: { apiUrl: contract.proxyUrl, ...settings }, secrets });
  }

  const basic = () => session({ username: 'email', userId: 'user-1' }, { password: 'secret' });

  it('lists, creates, reads, switches and deletes a user’s keys in the shapes of the spec', async () => {
    const s = basic();
    const key = { id: EXAMPLE_ID, accessKeyId: EXAMPLE_ID, status: 'active', createdAt: '2015-12-04T14:34:09.809Z', owner: 'user-1' };
    await expect(s.listKeys({})).resolves.toEqual([key, key]);
    await expect(s.createKey({})).resolves.toEqual({ ...key, secretAccessKey: EXAMPLE_SECRET });
    await expect(s.showSecret!(EXAMPLE_ID, {})).resolves.toBe(EXAMPLE_SECRET);
    await s.setKeyActive!(EXAMPLE_ID, false, {});
    await s.setKeyActive!(EXAMPLE_ID, true, { owner: 'user-2' });
    await s.deleteKey!(EXAMPLE_ID, {});
    expect(contract.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      'GET /um/users/user-1/s3keys?depth=1 200',
      'GET /um/users/user-1/s3keys?depth=1 200',
      'POST /um/users/user-1/s3keys 200',
      `GET /um/users/user-1/s3keys/${EXAMPLE_ID} 200`,
      `PUT /um/users/user-1/s3keys/${EXAMPLE_ID} 202`,
      `PUT /um/users/user-2/s3keys/${EXAMPLE_ID} 202`,
      `DELETE /um/users/user-1/s3keys/${EXAMPLE_ID} 202`,
    ]);
    expect(contract.calls.filter((c) => c.method === 'PUT').map((c) => c.body)).toEqual([{ properties: { active: false } }, { properties: { active: true } }]);
  });

  it('lists the users with their S3 canonical IDs and verifies the account’s user', async () => {
    const owner = { id: EXAMPLE_ID, name: 'email', disabled: false, canonicalId: 's3CanonicalUserId' };
    const s = basic();
    await expect(s.listOwners!()).resolves.toEqual([owner, owner]);
    await expect(s.verify()).resolves.toEqual(owner);
    expect(contract.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /um/users?depth=1&offset=0&limit=100', 'GET /um/users/user-1?depth=1']);
  });

  it('finds the signed-in user by e-mail when no user ID is set, and works with a token', async () => {
    const byEmail = session({ username: 'email' }, { password: 'secret' });
    await expect(byEmail.listKeys({})).resolves.toHaveLength(2);
    expect(contract.calls.map((c) => c.path)).toEqual(['/um/users?depth=1&offset=0&limit=100', `/um/users/${EXAMPLE_ID}/s3keys?depth=1`]);

    const token = session({ userId: 'user-1' }, { token: 'eyJ0eXAiOiJKV1QifQ.e30.sig' });
    await expect(token.listKeys({})).resolves.toHaveLength(2);
  });

  it('is checked by a live Prism: requests that break the spec are refused', async () => {
    const noAuth = await fetch(`${contract.prismUrl}/um/users/user-1/s3keys?depth=1`);
    expect(noAuth.status).toBe(401);
    const flatBody = await fetch(`${contract.prismUrl}/um/users/user-1/s3keys/${EXAMPLE_ID}`, {
      method: 'PUT',
      headers: { authorization: 'Basic ZW1haWw6c2VjcmV0', 'content-type': 'application/json' },
      body: JSON.stringify({ active: false }),
    });
    expect(flatBody.status).toBe(422);
    expect(JSON.parse(flatBody.headers.get('sl-violations') ?? '[]')).toEqual([expect.objectContaining({ message: "Request body must have required property 'properties'" })]);
  });

  describe('grace period: the old key deactivated when due, deleted a period later, switched on again to restore', () => {
    const KEY = '15f67991-0f51-4efc-a8ad-ef1fb31a480c';
    const run = (change: Partial<PendingRevocation>) => {
      contract.reset();
      return graceScheduler(adapter, { apiUrl: contract.proxyUrl, username: 'email', userId: 'user-1' }, { password: 'secret' }, KEY, 'NEW-KEY', change);
    };
    const calls = () => contract.calls.map((c) => `${c.method} ${c.path} ${c.status}${c.body ? ` ${JSON.stringify(c.body)}` : ''}`);

    it('deactivates the old key when the grace period ends, deletes it a period later', async () => {
      const t = await run({ then: 'deactivate', days: 3, dueAt: '2025-06-04T12:00:00.000Z' });
      await t.passDays(3);
      expect(calls()).toEqual([`PUT /um/users/user-1/s3keys/${KEY} 202 {"properties":{"active":false}}`]);
      expect(await t.service.list()).toMatchObject([{ state: 'deactivated' }]);
      await t.passDays(3);
      expect(calls()).toEqual([`PUT /um/users/user-1/s3keys/${KEY} 202 {"properties":{"active":false}}`, `DELETE /um/users/user-1/s3keys/${KEY} 202`]);
      expect(await t.service.list()).toEqual([]);
    });

    it('switches a deactivated old key on again for "Restore old key"', async () => {
      const t = await run({ state: 'deactivated' });
      await t.service.restore(t.entry.id);
      expect(calls()).toEqual([`PUT /um/users/user-1/s3keys/${KEY} 202 {"properties":{"active":true}}`]);
      expect(t.vault.get(t.credential.id).accessKeyId).toBe(KEY);
    });
  });

  describe('"Report leaked…"', () => {
    const calls = () => contract.calls.map((c) => `${c.method} ${c.path} ${c.status}${c.body ? ` ${JSON.stringify(c.body)}` : ''}`);

    it('offers deactivate first (IONOS can switch a key off), then deactivates the leaked key before creating its replacement, in the shapes of the spec', async () => {
      contract.reset();
      const t = await leakResponder(adapter, { apiUrl: contract.proxyUrl, username: 'email', userId: 'user-1' }, { password: 'secret' }, EXAMPLE_ID);
      const plan = await t.leak.plan({ credentialId: t.credential.id });
      expect(plan).toMatchObject({ stops: [{ stop: 'deactivate' }, { stop: 'delete' }], defaultStop: 'deactivate', reportsLastUsed: false });
      contract.reset();
      const result = await t.leak.report({ credentialId: t.credential.id }, { stop: 'deactivate' });
      expect(calls()).toEqual([
        'GET /um/users/user-1/s3keys?depth=1 200',
        `PUT /um/users/user-1/s3keys/${EXAMPLE_ID} 202 {"properties":{"active":false}}`,
        // The adapter checks the 5-keys limit itself before creating.
        'GET /um/users/user-1/s3keys?depth=1 200',
        'POST /um/users/user-1/s3keys 200',
      ]);
      // Prism keeps no state (every key has the example ID); what matters is the order and shape of the calls,
      // and that the replacement is saved even though it could not be checked on S3 here.
      expect(result).toMatchObject({ stopped: 'deactivated', unverified: { message: expect.stringContaining('saved anyway') } });
      expect(await t.vault.connection(t.credential.id)).toMatchObject({ secretAccessKey: EXAMPLE_SECRET });
      expect(await t.keychain.list()).toEqual([`credential:${t.credential.id}`]);
    });
  });
});
