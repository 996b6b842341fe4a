import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderSession } from '../../../src-main/core/providers/adapter';
import { adapter } from '../../../src-main/core/providers/glesys';
import { providerSpec, SPECS_MISSING } from '../../servers/prism';
import { useContractServer } from '../../helpers/provider-contract';

const spec = providerSpec('glesys-objectstorage.yaml');
if (!spec) console.warn(SPECS_MISSING);

const S3_STO1 = 'https://s3.sto1.example.net';

// The spec's examples: one instance with its initial key, and the answer to createcredential.
const INITIAL = {
  id: '376af022-c81e-4a02-9f28-0dce6ba24387',
  accessKeyId: 'ABC123QWERTYAOEU987',
  description: 'initial key',
  status: 'active',
  createdAt: '2020-05-29T13:37:00+00:00',
  owner: 'os-ab123',
  region: 'dc-sto1',
};
const CREATED = {
  id: '376af022-c81e-4a02-9f28-0dce6ba24399',
  accessKeyId: 'AOEUKEY123546',
  description: 'nightly backup job',
  status: 'active',
  createdAt: '2020-05-29T23:37:00+00:00',
  owner: 'os-ab123',
  region: 'dc-sto1',
  secretAccessKey: 'superlongsecretkey123123123',
};

describe.skipIf(!spec)('GleSYS Object Storage adapter against the GleSYS spec (Prism --errors)', () => {
  // Set by a test to have Prism give the spec's documented answer for that status instead of the 200.
  let forceStatus: number | undefined;
  const contract = useContractServer(spec!, { errors: true, prefer: () => (forceStatus ? { code: forceStatus } : undefined) });
  afterEach(() => (forceStatus = undefined));

  function session(settings: Record<string, string> = { 'endpoint-dc-sto1': S3_STO1 }): ProviderSession {
    contract.reset();
    return adapter.connect({ accountId: 'glesys-contract', settings: { projectId: 'CL12345', apiUrl: contract.proxyUrl, ...settings }, secrets: { apiKey: 'api-key-example' } });
  }

  const sent = () => contract.calls.map((c) => [c.method, c.path, c.status, c.body]);

  it('verifies the project and lists its instances, with their data center, as the owners of keys', async () => {
    const s = session();
    await expect(s.verify()).resolves.toEqual({ id: 'CL12345', name: 'project CL12345' });
    await expect(s.listOwners!()).resolves.toEqual([{ id: 'os-ab123', name: 'Backups — dc-sto1' }]);
    await expect(s.listKeys({ owner: 'os-ab123' })).resolves.toEqual([INITIAL]);
    await expect(s.listKeys({})).resolves.toEqual([INITIAL]);
    expect(sent()).toEqual(Array.from({ length: 4 }, () => ['GET', '/objectstorage/listinstances', 200, undefined]));
  });

  it('creates a key with its description in the instance and hands out the secret once, with the endpoint of its data center', async () => {
    const s = session();
    await expect(s.createKey({ owner: 'os-ab123', description: ' nightly backup job ' })).resolves.toEqual(CREATED);
    expect(sent()).toEqual([
      ['GET', '/objectstorage/listinstances', 200, undefined],
      ['POST', '/objectstorage/createcredential', 200, { instanceid: 'os-ab123', description: 'nightly backup job' }],
    ]);
    expect(s.s3Location(CREATED.region)).toEqual({ endpoint: S3_STO1, region: 'us-east-1', forcePathStyle: true });
  });

  it('describes a key made without a description (rotation) and picks the project’s only instance', async () => {
    const s = session();
    await s.createKey({});
    expect(contract.calls[1].body).toEqual({ instanceid: 'os-ab123', description: expect.stringMatching(/^Created by Keydesk \d{4}-\d\d-\d\d$/) });
  });

  it('revokes a key of the given instance, or finds the instance that holds it', async () => {
    const s = session();
    await s.deleteKey!(INITIAL.id, { owner: 'os-ab123' });
    await s.deleteKey!(INITIAL.id, {});
    expect(sent()).toEqual([
      ['POST', '/objectstorage/deletecredential', 200, { instanceid: 'os-ab123', credentialid: INITIAL.id }],
      ['GET', '/objectstorage/listinstances', 200, undefined],
      ['POST', '/objectstorage/deletecredential', 200, { instanceid: 'os-ab123', credentialid: INITIAL.id }],
    ]);
  });

  it('says the API key or project was refused, with the reason from status.text, on every call', async () => {
    forceStatus = 401;
    const s = session();
    const refused = { code: 'AUTH_FAILED', status: 401, message: 'GleSYS refused: Invalid API key or project — 401', hint: expect.stringContaining('project ID') };
    await expect(s.verify()).rejects.toMatchObject(refused);
    await expect(s.createKey({ owner: 'os-ab123', description: 'k' })).rejects.toMatchObject(refused);
    await expect(s.deleteKey!(INITIAL.id, { owner: 'os-ab123' })).rejects.toMatchObject(refused);
    expect(contract.calls.map((c) => c.status)).toEqual([401, 401, 401]);
  });

  it('turns a refused request (400) into a sentence, not a crash', async () => {
    forceStatus = 400;
    await expect(session().deleteKey!(INITIAL.id, { owner: 'os-ab123' })).rejects.toMatchObject({ code: 'INVALID_INPUT', status: 400, provider: 'GleSYS' });
  });

  it('requires the S3 endpoint of each data center the project has an instance in, without guessing one', async () => {
    const s = session({});
    await expect(s.verify()).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'GleSYS: enter the S3 endpoint for dc-sto1 (Stockholm), where the instance Backups is.' });
    expect(() => s.s3Location('dc-sto1')).toThrow('this account has no S3 endpoint for dc-sto1 (Stockholm)');
    // Falkenberg has no instance in this project: its endpoint may stay empty.
    await expect(session({ 'endpoint-dc-sto1': S3_STO1 }).verify()).resolves.toMatchObject({ id: 'CL12345' });
  });

  it('is checked by a live Prism: requests that break the spec are refused', async () => {
    expect((await fetch(`${contract.prismUrl}/objectstorage/listinstances`)).status).toBe(401);
    const incomplete = await fetch(`${contract.prismUrl}/objectstorage/deletecredential`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('CL12345:k').toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ instanceid: 'os-ab123' }),
    });
    expect(incomplete.status).toBe(400);
    expect(incomplete.headers.get('sl-violations')).toContain("must have required property 'credentialid'");
    const tooLong = await fetch(`${contract.prismUrl}/objectstorage/createcredential`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('CL12345:k').toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ instanceid: 'os-ab123', description: 'x'.repeat(256) }),
    });
    expect(tooLong.status).toBe(400);
    // Keydesk refuses the same description itself, before any request.
    await expect(session().createKey({ owner: 'os-ab123', description: 'x'.repeat(256) })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(contract.calls).toEqual([]);
  });
});
