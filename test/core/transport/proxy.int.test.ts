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
import { startTinyproxy, type Tinyproxy } from '../../servers/tinyproxy';

/*
 * Every path to a server (the lean object path, the AWS SDK, provider API calls) through a real proxy
 * (tinyproxy), over HTTP and over HTTPS with RGW's private CA: the proxy's log proves the requests went
 * through it. Then what a user sees when the proxy wants credentials, refuses, or is not there.
 */

const rgw = inject('rgw');
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
    const session = openSession(connection());
    const bucket = `${user.uid}-${name.startsWith('HTTPS') ? 's' : 'p'}`;
    await createBucket(session, bucket);
    const afterSdk = (await tiny.connects()).length;
    expect(afterSdk).toBeGreaterThan(0);

    const queue = new TransferQueue({ journalDir: join(dir, `journal-${bucket}`), resolveEndpoint: () => ({ connection: connection(), settings: { partSizeMiB: 5, concurrency: 3 } }) });
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
  const listBuckets = async (endpoint?: string) => {
    const session = openSession(connection(endpoint), { maxAttempts: 1 });
    try {
      return await session.client.send(new ListBucketsCommand({}));
    } catch (error) {
      throw describeS3Error(error, session.endpoint);
    } finally {
      session.client.destroy();
    }
  };

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
