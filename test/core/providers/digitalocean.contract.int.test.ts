import { describe, expect, it } from 'vitest';
import type { ProviderSession } from '../../../src-main/core/providers/adapter';
import { adapter } from '../../../src-main/core/providers/digitalocean';
import { providerSpec, SPECS_MISSING } from '../../servers/prism';
import { graceScheduler } from '../../helpers/grace-contract';
import { useContractServer } from '../../helpers/provider-contract';

const spec = providerSpec('digitalocean-v2.yaml');
if (!spec) console.warn(SPECS_MISSING);

describe.skipIf(!spec)('DigitalOcean Spaces keys adapter against the published API v2 spec (Prism)', () => {
  const contract = useContractServer(spec!);

  function session(): ProviderSession {
    contract.reset();
    return adapter.connect({ accountId: 'do-contract', settings: { apiUrl: contract.proxyUrl, region: 'fra1' }, secrets: { token: 'dop_v1_example' } });
  }

  it('verifies the token and lists, creates, renames and deletes keys in the shapes of the spec', async () => {
    const s = session();
    await expect(s.verify()).resolves.toEqual({ id: 'token', name: 'DigitalOcean API token' });
    await expect(s.listKeys({})).resolves.toEqual([
      { id: 'DOACCESSKEYEXAMPLE', accessKeyId: 'DOACCESSKEYEXAMPLE', description: 'my-access-key', status: 'active', createdAt: '2018-07-19T15:04:16Z' },
    ]);
    await expect(s.createKey({ description: 'backup job' })).resolves.toEqual({
      id: 'DOACCESSKEYEXAMPLE',
      accessKeyId: 'DOACCESSKEYEXAMPLE',
      description: 'read-only-key',
      status: 'active',
      createdAt: '2018-07-19T15:04:16Z',
      secretAccessKey: 'DOSECRETKEYEXAMPLE',
    });
    await s.setDescription!('DOACCESSKEYEXAMPLE', 'nightly backup', {});
    await s.deleteKey!('DOACCESSKEYEXAMPLE', {});
    expect(contract.calls.map((c) => [c.method, c.path, c.status, c.body])).toEqual([
      ['GET', '/v2/spaces/keys?per_page=1&page=1', 200, undefined],
      ['GET', '/v2/spaces/keys?per_page=200&page=1', 200, undefined],
      ['POST', '/v2/spaces/keys', 201, { name: 'backup job', grants: [{ bucket: '', permission: 'fullaccess' }] }],
      ['PATCH', '/v2/spaces/keys/DOACCESSKEYEXAMPLE', 200, { name: 'nightly backup' }],
      ['DELETE', '/v2/spaces/keys/DOACCESSKEYEXAMPLE', 204, undefined],
    ]);
    expect(s.s3Location()).toEqual({ endpoint: 'https://fra1.digitaloceanspaces.com', region: 'fra1', forcePathStyle: false });
  });

  it('limits a new key to some buckets with grants the spec accepts', async () => {
    const s = session();
    const grants = [
      { bucket: 'photos', permission: 'read' as const },
      { bucket: 'backups', permission: 'readwrite' as const },
    ];
    await expect(s.createKey({ description: 'scoped', grants })).resolves.toMatchObject({ secretAccessKey: 'DOSECRETKEYEXAMPLE' });
    expect(contract.calls.map((c) => [c.method, c.path, c.status, c.body])).toEqual([['POST', '/v2/spaces/keys', 201, { name: 'scoped', grants }]]);
  });

  it('is checked by a live Prism: requests that break the spec are refused', async () => {
    expect((await fetch(`${contract.prismUrl}/v2/spaces/keys`)).status).toBe(401);
    const noPermission = await fetch(`${contract.prismUrl}/v2/spaces/keys`, {
      method: 'POST',
      headers: { authorization: 'Bearer dop_v1_example', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'k', grants: [{ bucket: 'b' }] }),
    });
    // The spec gives POST a 400 answer, so Prism refuses with that rather than 422.
    expect(noPermission.status).toBe(400);
    expect(noPermission.headers.get('sl-violations')).toContain("must have required property 'permission'");
  });

  describe('grace period', () => {
    it('deletes the old key when the grace period ends ("Revoke now" does the same at once)', async () => {
      contract.reset();
      const t = await graceScheduler(adapter, { apiUrl: contract.proxyUrl, region: 'fra1' }, { token: 'dop_v1_example' }, 'DOACCESSKEYEXAMPLE', 'NEWKEY');
      await t.passDays(6);
      expect(contract.calls).toEqual([]);
      await t.passDays(1);
      expect(contract.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual(['DELETE /v2/spaces/keys/DOACCESSKEYEXAMPLE 204']);
      expect(await t.service.list()).toEqual([]);
    });
  });
});
