import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountContext } from '../../../src-main/core/providers/adapter';
import { adapter } from '../../../src-main/core/providers/digitalocean';
import { startJsonServer, type JsonAnswer, type RecordedRequest } from '../../helpers/json-server';

let server: Awaited<ReturnType<typeof startJsonServer>>;

/** Spaces keys paged like DigitalOcean (links.pages.next), and its error body {id, message, request_id}. */
function handle(request: RecordedRequest): JsonAnswer {
  const url = new URL(request.path, 'http://x');
  if (request.headers.authorization === 'Bearer revoked') return { status: 401, body: { id: 'unauthorized', message: 'Unable to authenticate you.' } };
  if (request.headers.authorization === 'Bearer read-only') {
    return { status: 403, body: { id: 'forbidden', message: 'You do not have access for the attempted action.', request_id: 'req-42' } };
  }
  if (request.method === 'GET' && url.pathname === '/v2/spaces/keys') {
    const page = Number(url.searchParams.get('page'));
    const keys = Array.from({ length: page === 1 ? 2 : 1 }, (_, i) => ({ name: `k${page}-${i}`, access_key: `DO${page}${i}`, grants: [], created_at: '2026-01-01T00:00:00Z' }));
    return { status: 200, body: { keys, links: page === 1 ? { pages: { next: `${url.origin}/v2/spaces/keys?page=2` } } : {}, meta: { total: 3 } } };
  }
  if (request.method === 'POST') {
    const { name } = request.body as { name: string };
    return { status: 201, body: { key: { name, access_key: 'DONEW', secret_key: 'DOSECRET', grants: [{ bucket: '', permission: 'fullaccess' }], created_at: '2026-01-01T00:00:00Z' } } };
  }
  return { status: 404, body: { id: 'not_found', message: 'The resource you were accessing could not be found.', request_id: 'req-7' } };
}

const account = (token: string, settings: Record<string, string> = {}): AccountContext => ({
  accountId: 'do',
  settings: { apiUrl: server.url, ...settings },
  secrets: { token },
});

beforeEach(async () => {
  server = await startJsonServer(handle);
});
afterEach(async () => {
  await server.stop();
});

describe('DigitalOcean Spaces adapter', () => {
  it('follows links.pages.next through every page', async () => {
    const keys = await adapter.connect(account('good')).listKeys({});
    expect(keys.map((k) => k.accessKeyId)).toEqual(['DO10', 'DO11', 'DO20']);
    expect(server.requests.map((r) => r.path)).toEqual(['/v2/spaces/keys?per_page=200&page=1', '/v2/spaces/keys?per_page=200&page=2']);
  });

  it('names a key made without a description, since DigitalOcean requires a name', async () => {
    const created = await adapter.connect(account('good')).createKey({});
    expect(created).toMatchObject({ accessKeyId: 'DONEW', secretAccessKey: 'DOSECRET', description: expect.stringMatching(/^keydesk-\d{4}-\d\d-\d\d$/) });
  });

  it('turns DigitalOcean error bodies into sentences with the error id and status', async () => {
    await expect(adapter.connect(account('revoked')).listKeys({})).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      providerCode: 'unauthorized',
      status: 401,
      message: 'DigitalOcean refused: Unable to authenticate you (unauthorized) — 401',
    });
    await expect(adapter.connect(account('read-only')).createKey({})).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      message: 'DigitalOcean refused: You do not have access for the attempted action (forbidden) — 403',
      hint: expect.stringContaining('spaces_key'),
    });
    await expect(adapter.connect(account('good')).deleteKey!('DOGONE', {})).rejects.toMatchObject({
      code: 'NOT_FOUND',
      hint: 'If this persists, give DigitalOcean support the request ID req-7.',
    });
    await expect(adapter.connect(account('')).listKeys({})).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('points S3 at the region’s Spaces endpoint', () => {
    expect(adapter.connect(account('good', { region: 'sgp1' })).s3Location()).toEqual({ endpoint: 'https://sgp1.digitaloceanspaces.com', region: 'sgp1', forcePathStyle: false });
    expect(adapter.connect(account('good')).s3Location('ams3').endpoint).toBe('https://ams3.digitaloceanspaces.com');
  });
});
