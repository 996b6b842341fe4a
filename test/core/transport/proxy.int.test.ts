import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { adapter as cephRgw } from '../../../src-main/core/providers/ceph-rgw';
import { redact } from '../../../src-main/core/redact';
import { createBucket } from '../../../src-main/core/s3/buckets';
import { describeS3Error, type S3Connection } from '../../../src-main/core/s3/client';
import { openSession, s3Call } from '../../../src-main/core/s3/session';
import { TransferQueue } from '../../../src-main/core/transfers/queue';
import { envProxyResolver, setProxyResolver } from '../../../src-main/core/transport/proxy';
import { createRgwUser } from '../../helpers/rgw-users';
import { md5File, MiB, randomFile, rgwCa, tempDir } from '../../helpers/s3-fixtures';
import { freePort } from '../../servers/rgw';
import { startSquid, type Squid } from '../../servers/squid';
import { startTinyproxy, type Tinyproxy } from '../../servers/tinyproxy';

/*
 * Every path to a server (the lean object path, the AWS SDK, provider API calls) through a real proxy
 * (tinyproxy), over HTTP and over HTTPS with RGW's private CA: the proxy's log proves the requests went
 * through it. Then what a user sees when the proxy wants credentials, refuses, or is not there; and the
 * same through squid configured as corporate proxies are.
 */

const rgw = inject('rgw');

/** One ListBuckets, not retried, with the error as Keydesk describes it. */
async function listBucketsAs(connection: S3Connection) {
  const session = openSession(connection, { maxAttempts: 1 });
  try {
    return await session.client.send(new ListBucketsCommand({}));
  } catch (error) {
    throw describeS3Error(error, session.endpoint);
  } finally {
    session.client.destroy();
  }
}

const open: Tinyproxy[] = [];
let dir: string;
let user: Awaited<ReturnType<typeof createRgwUser>>;

beforeAll(async () => {
  dir = await tempDir('keydesk-proxy-');
  user = await createRgwUser(rgw, 'proxy');
});

afterEach(() => setProxyResolver(envProxyResolver({})));
afterAll(async () => {
  await Promise.all(open.map((proxy) => proxy.stop()));
});

async function proxy(options: Parameters<typeof startTinyproxy>[0] = {}): Promise<Tinyproxy> {
  const started = await startTinyproxy(options);
  open.push(started);
  return started;
}

/** As HTTPS_PROXY/HTTP_PROXY (and NO_PROXY) in the environment would set it. */
function useProxy(url: string, noProxy?: string): void {
  setProxyResolver(envProxyResolver({ HTTPS_PROXY: url, HTTP_PROXY: url, NO_PROXY: noProxy }));
}

const endpoints = [
  { name: 'HTTP', endpoint: () => rgw.endpoint, trust: () => undefined },
  { name: 'HTTPS with a private CA', endpoint: () => rgw.tls.endpoint, trust: () => [rgwCa(rgw)] },
];

const authority = (endpoint: string) => new URL(endpoint).host;

/**
 * Creates a bucket (SDK), uploads and downloads 12 MiB in 5 MiB parts three at a time (the lean object
 * path), lists it and lists buckets (SDK): the bytes come back the same. Answers how many tunnels the proxy
 * had logged after the SDK's first call.
 */
async function roundTrip(connection: S3Connection, bucket: string, logged: () => Promise<string[]>): Promise<number> {
  const session = openSession(connection);
  await createBucket(session, bucket);
  const afterSdk = (await logged()).length;
  const queue = new TransferQueue({ journalDir: join(dir, `journal-${bucket}`), resolveEndpoint: () => ({ connection, settings: { partSizeMiB: 5, concurrency: 3 } }) });
  try {
    const file = await randomFile(join(dir, `${bucket}.bin`), 12 * MiB);
    const up = await queue.addUpload({ credentialId: 'c', bucket, key: 'big.bin', file });
    expect((await queue.wait(up.id)).state).toBe('done');
    const target = join(dir, `${bucket}-back.bin`);
    const down = await queue.addDownload({ credentialId: 'c', bucket, key: 'big.bin', target });
    expect((await queue.wait(down.id)).state).toBe('done');
    expect(await md5File(target)).toBe(await md5File(file));
  } finally {
    await queue.shutdown();
  }
  const listed = await session.objects.list(bucket, {});
  expect(listed.objects.map((o) => o.key)).toEqual(['big.bin']);
  const sdk = await session.client.send(new ListBucketsCommand({}));
  expect(sdk.Buckets?.map((b) => b.Name)).toContain(bucket);
  session.client.destroy();
  session.objects.close();
  return afterSdk;
}

describe.each(endpoints)('through a proxy, $name', ({ name, endpoint, trust }) => {
  const connection = (): S3Connection => ({
    endpoint: endpoint(),
    trust: trust(),
    region: rgw.region,
    accessKeyId: user.accessKeyId,
    secretAccessKey: user.secretAccessKey,
    forcePathStyle: true,
    checksums: 'when-required',
  });

  it('uploads and downloads in parallel parts, lists and calls the SDK, all through CONNECT tunnels', async () => {
    const tiny = await proxy();
    useProxy(tiny.url);
    const afterSdk = await roundTrip(connection(), `${user.uid}-${name.startsWith('HTTPS') ? 's' : 'p'}`, () => tiny.connects());
    const connects = await tiny.connects();
    // Parts in parallel opened several tunnels, every one of them to the S3 endpoint.
    expect(connects.length).toBeGreaterThan(afterSdk + 2);
    expect(new Set(connects)).toEqual(new Set([authority(endpoint())]));
  });

  it('calls a provider API (RGW Admin Ops) through the proxy', async () => {
    const tiny = await proxy();
    useProxy(tiny.url);
    const admin = cephRgw.connect({
      accountId: 'proxy-test',
      settings: { endpoint: endpoint(), region: rgw.region, accessKeyId: rgw.admin.accessKeyId, uid: user.uid },
      secrets: { secretAccessKey: rgw.admin.secretAccessKey },
      trust: trust(),
    });
    await expect(admin.verify()).resolves.toMatchObject({ id: 'admin' });
    expect((await admin.listKeys({})).map((key) => key.accessKeyId)).toContain(user.accessKeyId);
    expect(await tiny.connects()).toContain(authority(endpoint()));
  });

  it('asks for proxy credentials on 407, refuses wrong ones, works with the right ones, and never logs them', async () => {
    const tiny = await proxy({ auth: { user: 'alice', password: 'pr0xy-pass.word' } });
    const session = () => openSession(connection(), { maxAttempts: 1 });
    const list = (s: ReturnType<typeof session>) => s3Call(s, undefined, (o) => s.client.send(new ListBucketsCommand({}), o));
    useProxy(tiny.url);
    const missing = await list(session()).catch((error: unknown) => error);
    expect(missing).toMatchObject({ code: 'PROXY', status: 407, message: expect.stringContaining(`The proxy ${tiny.url} requires proxy authentication`) });
    // The lean object path says the same.
    await expect(session().objects.list(`${user.uid}-none`, {})).rejects.toMatchObject({ code: 'PROXY', status: 407 });

    useProxy(`http://alice:wrong-password@127.0.0.1:${tiny.port}`);
    await expect(list(session())).rejects.toMatchObject({ code: 'PROXY', message: expect.stringContaining('did not accept the user name and password') });

    const withCredentials = `http://alice:pr0xy-pass.word@127.0.0.1:${tiny.port}`;
    useProxy(withCredentials);
    await expect(list(session())).resolves.toMatchObject({ Buckets: expect.any(Array) });
    // Registered with the redacting logger: neither the password nor the header value reach a log line.
    const line = redact(`proxy ${withCredentials} pr0xy-pass.word ${Buffer.from('alice:pr0xy-pass.word').toString('base64')}`);
    expect(line).not.toContain('pr0xy-pass.word');
    expect(line).not.toContain(Buffer.from('alice:pr0xy-pass.word').toString('base64'));
  });
});

describe('a proxy that refuses or is not there', () => {
  const connection = (endpoint = rgw.endpoint): S3Connection => ({
    endpoint,
    region: rgw.region,
    accessKeyId: rgw.admin.accessKeyId,
    secretAccessKey: rgw.admin.secretAccessKey,
    forcePathStyle: true,
    checksums: 'when-required',
  });
  const listBuckets = (endpoint?: string) => listBucketsAs(connection(endpoint));

  it('names the proxy, not the S3 server, when the proxy answers 403', async () => {
    const denying = await proxy({ allow: '10.9.9.9' });
    useProxy(denying.url);
    const error = await listBuckets().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'PROXY', status: 403, message: `The proxy ${denying.url} refused to connect to ${authority(rgw.endpoint)} (HTTP 403 Access denied).` });
    expect((error as Error).message).not.toMatch(/S3/);
    // A proxy that only tunnels to port 443 refuses the others the same way.
    const portLimited = await proxy({ connectPorts: [443] });
    useProxy(portLimited.url);
    await expect(listBuckets()).rejects.toMatchObject({ code: 'PROXY', status: 403, message: expect.stringContaining(`The proxy ${portLimited.url} refused to connect`) });
  });

  it('names the proxy when nothing listens there, and the variable that set it', async () => {
    const port = await freePort();
    setProxyResolver(envProxyResolver({ https_proxy: `http://127.0.0.1:${port}` }));
    await expect(listBuckets(rgw.tls.endpoint)).rejects.toMatchObject({
      code: 'NETWORK',
      message: `Cannot reach the proxy http://127.0.0.1:${port} (connection refused), which https_proxy names for ${authority(rgw.tls.endpoint)}.`,
    });
  });

  it('goes around the proxy for hosts in NO_PROXY (by IP, with and without port), and only for those', async () => {
    const port = await freePort();
    const dead = `http://127.0.0.1:${port}`;
    for (const noProxy of ['127.0.0.1', `example.com, 127.0.0.1:${new URL(rgw.endpoint).port}`, '127.0.0.0/8', '*']) {
      useProxy(dead, noProxy);
      await expect(listBuckets(), noProxy).resolves.toMatchObject({ Buckets: expect.any(Array) });
    }
    for (const noProxy of ['127.0.0.2', '127.0.0.1:1', '.example.com']) {
      useProxy(dead, noProxy);
      await expect(listBuckets(), noProxy).rejects.toMatchObject({ code: 'NETWORK', message: expect.stringContaining(`Cannot reach the proxy ${dead}`) });
    }
  });
});

describe('through squid set up as corporate proxies are (Basic authentication, CONNECT only to SSL ports)', () => {
  const auth = { user: 'bob', password: 'squid pass:wörd' };
  const tlsPort = Number(new URL(rgw.tls.endpoint).port);
  let squid: Squid;
  beforeAll(async () => {
    squid = await startSquid({ auth, sslPorts: [tlsPort] });
  });
  afterAll(() => squid?.stop());

  const withPassword = (password: string) => `http://${auth.user}:${encodeURIComponent(password)}@127.0.0.1:${squid.port}`;
  const connection = (endpoint: string): S3Connection => ({
    endpoint,
    trust: endpoint.startsWith('https:') ? [rgwCa(rgw)] : undefined,
    region: rgw.region,
    accessKeyId: user.accessKeyId,
    secretAccessKey: user.secretAccessKey,
    forcePathStyle: true,
    checksums: 'when-required',
  });
  const listBuckets = (endpoint: string) => listBucketsAs(connection(endpoint));

  it('transfers, lists and calls the SDK over HTTPS with the private CA, every tunnel opened for the proxy user', async () => {
    useProxy(withPassword(auth.password));
    await roundTrip(connection(rgw.tls.endpoint), `${user.uid}-squid`, () => squid.connects());
    // squid logs a tunnel when it closes.
    await expect.poll(async () => (await squid.tunnels()).length, { timeout: 10_000 }).toBeGreaterThan(3);
    expect(new Set(await squid.tunnels())).toEqual(new Set([`${auth.user} ${authority(rgw.tls.endpoint)}`]));
  });

  it("says what squid answered: no password, a wrong one, a port it does not tunnel to, a server it cannot reach", async () => {
    useProxy(squid.url);
    await expect(listBuckets(rgw.tls.endpoint)).rejects.toMatchObject({ code: 'PROXY', status: 407, message: `The proxy ${squid.url} requires proxy authentication: a user name and password (HTTP 407 Proxy Authentication Required).` });
    useProxy(withPassword('not it'));
    await expect(listBuckets(rgw.tls.endpoint)).rejects.toMatchObject({ code: 'PROXY', status: 407, message: expect.stringContaining(`The proxy ${squid.url} did not accept the user name and password in HTTPS_PROXY`) });
    // squid's default policy: CONNECT only to SSL ports, so RGW's plain-HTTP port is refused.
    useProxy(withPassword(auth.password));
    await expect(listBuckets(rgw.endpoint)).rejects.toMatchObject({ code: 'PROXY', status: 403, message: `The proxy ${squid.url} refused to connect to ${authority(rgw.endpoint)} (HTTP 403 Forbidden).` });
    // Nothing listens on 127.0.0.1:443: squid says so with 503, and Keydesk names the proxy and the server.
    await expect(listBuckets('https://127.0.0.1')).rejects.toMatchObject({ code: 'PROXY', status: 503, message: `The proxy ${squid.url} could not connect to 127.0.0.1:443 (HTTP 503 Service Unavailable).` });
    // After all that, the right password still works.
    await expect(listBuckets(rgw.tls.endpoint)).resolves.toMatchObject({ Buckets: expect.any(Array) });
  });
});
