import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeydeskError } from '../../../src-main/core/errors';
import type { AccountContext } from '../../../src-main/core/providers/adapter';
import { adapter } from '../../../src-main/core/providers/glesys';
import { startJsonServer, type JsonAnswer, type RecordedRequest } from '../../helpers/json-server';

let server: Awaited<ReturnType<typeof startJsonServer>>;
/** What the next calls answer, per test; default: the project below. */
let answer: (request: RecordedRequest) => JsonAnswer;

const ok = { code: 200, text: 'OK' };
const credential = (id: string, description?: string) => ({ id, accesskey: `AK-${id}`, description, created: '2026-01-02T03:04:05+00:00' });
const PROJECT = [
  { id: 'os-sto', description: 'Backups', datacenter: 'dc-sto1', created: '2026-01-01T00:00:00+00:00', credentials: [credential('c1', 'initial key'), credential('c2', 'web')] },
  { id: 'os-fbg', description: '', datacenter: 'dc-fbg1', credentials: [credential('c3')] },
];
const instances = (list: unknown[] = PROJECT): JsonAnswer => ({ status: 200, body: { response: { status: ok, instances: list } } });

const account = (settings: Record<string, string> = {}, apiKey = 'secret-api-key'): AccountContext => ({
  accountId: 'glesys',
  settings: { projectId: 'CL12345', apiUrl: server.url, 'endpoint-dc-sto1': 'https://s3.sto.example', 'endpoint-dc-fbg1': 'https://s3.fbg.example', ...settings },
  secrets: { apiKey },
});
const session = (settings?: Record<string, string>) => adapter.connect(account(settings));

beforeEach(async () => {
  answer = () => instances();
  server = await startJsonServer((request) => answer(request));
});
afterEach(async () => {
  await server.stop();
});

describe('GleSYS Object Storage adapter', () => {
  it('signs every call with Basic auth of the project ID and the API key', async () => {
    await session().listKeys({});
    expect(server.requests[0].headers.authorization).toBe(`Basic ${Buffer.from('CL12345:secret-api-key').toString('base64')}`);
  });

  it('lists every instance’s keys with owner and data center, or one instance’s', async () => {
    const s = session();
    expect((await s.listKeys({})).map((k) => [k.accessKeyId, k.owner, k.region, k.description])).toEqual([
      ['AK-c1', 'os-sto', 'dc-sto1', 'initial key'],
      ['AK-c2', 'os-sto', 'dc-sto1', 'web'],
      ['AK-c3', 'os-fbg', 'dc-fbg1', undefined],
    ]);
    expect((await s.listKeys({ owner: 'os-fbg' })).map((k) => k.id)).toEqual(['c3']);
    // An instance without a description is named by its ID.
    await expect(s.listOwners!()).resolves.toEqual([
      { id: 'os-sto', name: 'Backups — dc-sto1' },
      { id: 'os-fbg', name: 'os-fbg — dc-fbg1' },
    ]);
    await expect(s.listKeys({ owner: 'os-gone' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'GleSYS: this project has no object storage instance os-gone (any more).' });
  });

  it('asks which instance a new key is for when the project has several, and says when it has none', async () => {
    await expect(session().createKey({ description: 'k' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: "GleSYS: choose which of the project's 2 object storage instances the key is for." });
    answer = () => instances([]);
    await expect(session().createKey({ description: 'k' })).rejects.toMatchObject({ code: 'INVALID_INPUT', hint: expect.stringContaining('control panel') });
    expect(server.requests.every((r) => r.path === '/objectstorage/listinstances')).toBe(true);
  });

  it('puts each data center’s keys at that data center’s S3 endpoint', async () => {
    const s = session();
    expect(s.s3Location('dc-sto1')).toEqual({ endpoint: 'https://s3.sto.example', region: 'us-east-1', forcePathStyle: true });
    expect(s.s3Location('dc-fbg1').endpoint).toBe('https://s3.fbg.example');
    // No data center named (one GleSYS gave in a form that cannot be passed on): no endpoint is guessed.
    expect(() => session({ 'endpoint-dc-fbg1': '' }).s3Location()).toThrow('Keydesk has no S3 endpoint for the data center of this key.');
    // An endpoint that is not an http(s) URL is refused when the account is added, naming its data center.
    await expect(session({ 'endpoint-dc-fbg1': 'ftp://files.example' }).verify()).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'GleSYS: the S3 endpoint for dc-fbg1 is not usable. The endpoint must start with https:// or http://, not ftp://.',
    });
  });

  it('requires the endpoint of every data center in use, names the instances, and leaves unknown data centers to pasted credentials', async () => {
    await expect(session({ 'endpoint-dc-fbg1': '' }).verify()).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'GleSYS: enter the S3 endpoint for dc-fbg1 (Falkenberg), where the instance os-fbg is.',
    });
    answer = () => instances([{ id: 'os-osl', datacenter: 'dc-osl1', credentials: [] }]);
    const s = session();
    await expect(s.verify()).resolves.toEqual({ id: 'CL12345', name: 'project CL12345' });
    expect(() => s.s3Location('dc-osl1')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', hint: expect.stringContaining('Credentials → Add credentials') }));
  });

  it('refuses a project ID that cannot be a Basic-auth user and an over-long description without calling GleSYS', async () => {
    await expect(session({ projectId: 'CL1:2' }).listKeys({})).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('looks like CL12345') });
    await expect(session().createKey({ owner: 'os-sto', description: 'd'.repeat(256) })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('255') });
    await expect(adapter.connect(account({}, '')).listKeys({})).rejects.toMatchObject({ code: 'INVALID_INPUT', message: "GleSYS: the API key is missing in this account's settings." });
    expect(server.requests).toEqual([]);
  });

  it('reads the reason from status.text, also when an HTTP 200 answer says it failed', async () => {
    answer = () => ({ status: 403, body: { response: { status: { code: 403, text: 'Access denied to objectstorage.' } } } });
    await expect(session().listKeys({})).rejects.toMatchObject({ code: 'ACCESS_DENIED', status: 403, message: 'GleSYS refused: Access denied to objectstorage — 403', hint: expect.stringContaining('Object Storage') });
    answer = () => ({ status: 200, body: { response: { status: { code: 401, text: 'Invalid API key or project.' } } } });
    await expect(session().verify()).rejects.toMatchObject({ code: 'AUTH_FAILED', status: 401 });
    answer = (request) =>
      request.path.endsWith('deletecredential') ? { status: 400, body: { response: { status: { code: 400, text: 'Credential not found.' } } } } : instances();
    await expect(session().deleteKey!('c9', { owner: 'os-sto' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'GleSYS refused: Credential not found — 400' });
  });

  it('gives a clear error, never a crash, for answers that are not what GleSYS sends', async () => {
    const cases: [JsonAnswer, string][] = [
      [{ status: 200, body: {} }, 'GleSYS answered listinstances with something Keydesk does not understand (response: '],
      [{ status: 200, body: { response: { status: ok, instances: {} } } }, '(response.instances: '],
      [{ status: 200, body: { response: { status: ok, instances: [{ id: 'os', datacenter: 'dc-sto1', credentials: [{ id: 'c', created: 'x' }] }] } } }, '(response.instances.0.credentials.0.accesskey: '],
      [{ status: 200, body: null }, 'GleSYS answered listinstances with something'],
      [{ status: 200 }, 'GleSYS answered listinstances with something Keydesk does not understand.'],
      [{ status: 502, body: '<html>Bad gateway</html>' }, 'GleSYS refused: the request failed — 502'],
    ];
    for (const [reply, message] of cases) {
      answer = () => reply;
      const error = await session().listKeys({}).catch((e: unknown) => e);
      expect(error, JSON.stringify(reply)).toBeInstanceOf(KeydeskError);
      expect((error as KeydeskError).message).toContain(message);
      expect((error as KeydeskError).code).toBe('PROVIDER');
    }
  });

  it('passes on only IDs and data center names that can be sent back to it', async () => {
    answer = () => instances([{ id: 'os-odd', datacenter: 'DC Stockholm #1', credentials: [credential('c1')] }]);
    await expect(session().listKeys({})).resolves.toEqual([expect.objectContaining({ id: 'c1', owner: 'os-odd', region: undefined })]);
    answer = () => instances([{ id: 'o'.repeat(257), datacenter: 'dc-sto1', credentials: [] }]);
    await expect(session().listKeys({})).rejects.toMatchObject({ code: 'PROVIDER', message: expect.stringContaining('(response.instances.0.id: ') });
  });

  it('says the key may exist when GleSYS answers a create without the secret', async () => {
    answer = (request) =>
      request.path.endsWith('createcredential') ? { status: 200, body: { response: { status: ok, credential: { id: 'c9', accesskey: 'AK9', created: 'now' } } } } : instances();
    await expect(session().createKey({ owner: 'os-sto', description: 'k' })).rejects.toMatchObject({
      code: 'PROVIDER',
      message: 'GleSYS answered createcredential with something Keydesk does not understand (response.credential.secretkey: Invalid input: expected string, received undefined).',
      hint: expect.stringContaining('revoke'),
    });
  });

  it('turns any JSON answer into keys or a KeydeskError that keeps the API key out of its text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.constantFrom(200, 400, 401, 404, 500), async (body, status) => {
        answer = () => ({ status, body });
        const outcome = await session()
          .listKeys({})
          .then(() => undefined, (e: unknown) => e);
        if (outcome === undefined) return;
        expect(outcome).toBeInstanceOf(KeydeskError);
        expect(JSON.stringify((outcome as KeydeskError).toJSON())).not.toContain('secret-api-key');
      }),
      { numRuns: 150 },
    );
  });
});
