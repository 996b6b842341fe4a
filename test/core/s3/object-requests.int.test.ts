import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBucket } from '../../../src-main/core/s3/buckets';
import { describeS3Error, type S3Connection } from '../../../src-main/core/s3/client';
import { ObjectRequests } from '../../../src-main/core/s3/object-requests';
import { s3Call, type S3Session } from '../../../src-main/core/s3/session';
import { overHttps, userFixture } from '../../helpers/s3-fixtures';

const rgw = inject('rgw');
let session: S3Session;
let connection: S3Connection;
let bucket: string;
const proxies: Server[] = [];

beforeAll(async () => {
  const fixture = await userFixture(rgw, 'objreq');
  ({ session, connection } = fixture);
  bucket = `${fixture.user.uid}-o`;
  await createBucket(session, bucket);
});

afterAll(() => {
  for (const proxy of proxies) proxy.close();
});

const md5 = (data: Uint8Array) => createHash('md5').update(data).digest();

async function sdkGet(key: string): Promise<Buffer> {
  const result = await session.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await result.Body!.transformToByteArray());
}

async function getAll(objects: ObjectRequests, key: string, options: Parameters<ObjectRequests['get']>[2] = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await objects.get({ bucket, key }, (chunk) => void chunks.push(Buffer.from(chunk)), options);
  return Buffer.concat(chunks);
}

/**
 * A TCP relay in front of RGW (plain or TLS, passed through) that counts client connections; `rewrite` may
 * change the bytes a client sends (someone tampering in transit), `drop` closes the client connections (a
 * server dropping idle keep-alive connections).
 */
async function proxy(options: { rewrite?: (data: Buffer) => Buffer } = {}): Promise<{ endpoint: string; connections: () => number; drop: () => void }> {
  const target = new URL(connection.endpoint);
  let connections = 0;
  const clients = new Set<Socket>();
  const server = createServer((client: Socket) => {
    connections++;
    clients.add(client);
    const rgwSocket = connect(Number(target.port), target.hostname);
    client.on('data', (data: Buffer) => rgwSocket.write(options.rewrite ? options.rewrite(data) : data));
    rgwSocket.on('data', (data: Buffer) => client.write(data));
    client.on('close', () => rgwSocket.destroy());
    rgwSocket.on('close', () => client.destroy());
    client.on('error', () => {});
    rgwSocket.on('error', () => {});
  });
  proxies.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const drop = () => {
    for (const client of clients) client.destroy();
    clients.clear();
  };
  return { endpoint: `${target.protocol}//127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections, drop };
}

describe('PutObject and GetObject on the lean path', () => {
  it('stores and reads back keys with characters that need escaping, under exactly those keys', async () => {
    const keys = ['plain.txt', 'a b/c+d%e?f#g~h*i(j)!k\'l&m=n;o,p:q@r$s.bin', 'ünï/日本語 ファイル.txt', 'dir//double/slash', ' lead and trail '];
    for (const key of keys) {
      const body = Buffer.from(`content of ${key}`);
      const result = await session.objects.put({ bucket, key }, body, md5(body), { contentType: 'text/plain' });
      expect(result.etag).toBe(`"${md5(body).toString('hex')}"`);
      expect(await sdkGet(key)).toEqual(body);
      expect(await getAll(session.objects, key)).toEqual(body);
    }
    const listed = await session.client.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map((o) => o.Key).sort()).toEqual([...keys].sort());
  });

  it('reads a byte range, and refuses it when the object no longer has the ETag asked for', async () => {
    const body = randomBytes(100_000);
    const { etag } = await session.objects.put({ bucket, key: 'range.bin' }, body, md5(body), {});
    const ranged = await getAll(session.objects, 'range.bin', { range: { start: 1000, end: 60_999 }, ifMatch: etag });
    expect(ranged.equals(body.subarray(1000, 61_000))).toBe(true);
    await expect(getAll(session.objects, 'range.bin', { ifMatch: '"00000000000000000000000000000000"' })).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
  });

  it('uploads parts of a multipart upload that the SDK completes', async () => {
    const { UploadId } = await session.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'multi.bin' }));
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(123_456)];
    const etags = [];
    for (const [i, part] of parts.entries()) {
      etags.push((await session.objects.put({ bucket, key: 'multi.bin' }, part, md5(part), { part: { uploadId: UploadId!, partNumber: i + 1 } })).etag);
    }
    await session.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'multi.bin', UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }));
    expect((await sdkGet('multi.bin')).equals(Buffer.concat(parts))).toBe(true);
  });

  it('raises the server errors the SDK would, so they are described the same way', async () => {
    const body = Buffer.from('bytes as they left the disk');
    // The body changed after its MD5 was taken: the server refuses it.
    await expect(session.objects.put({ bucket, key: 'digest.bin' }, Buffer.from('bytes changed in transit!!'), md5(body), {})).rejects.toMatchObject({ name: 'BadDigest', $metadata: { httpStatusCode: 400 } });
    const missing = await getAll(session.objects, 'no/such/key').catch((error: unknown) => describeS3Error(error, connection.endpoint));
    expect(missing).toMatchObject({ code: 'NOT_FOUND', providerCode: 'NoSuchKey' });
    const wrongSecret = new ObjectRequests({ ...connection, secretAccessKey: `${connection.secretAccessKey}x` }, 10_000);
    const refused = await wrongSecret.put({ bucket, key: 'x' }, body, md5(body), {}).catch((error: unknown) => describeS3Error(error, connection.endpoint));
    expect(refused).toMatchObject({ code: 'SIGNATURE_MISMATCH' });
  });

  // Over HTTPS nobody on the way can read or swap these bytes: the relay's rewrite would find nothing.
  it.skipIf(overHttps)('refuses a request whose Content-MD5 was swapped in transit with its body (the MD5 is signed)', async () => {
    const original = Buffer.from('original bytes!');
    const other = Buffer.from('replaced bytes!');
    const tamper = await proxy({
      rewrite: (data) => {
        const text = data.toString('latin1');
        return Buffer.from(text.replace(md5(original).toString('base64'), md5(other).toString('base64')).replace('original bytes!', 'replaced bytes!'), 'latin1');
      },
    });
    const objects = new ObjectRequests({ ...connection, endpoint: tamper.endpoint }, 10_000);
    await expect(objects.put({ bucket, key: 'tampered.bin' }, original, md5(original), {})).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
  });
});

describe('ListObjectsV2 on the lean path', () => {
  it('reads pages exactly as the SDK does: keys needing XML escapes, folders, ETags, continuation', async () => {
    const keys = ['ls/a&b<c>"d\'e.txt', 'ls/ünï 日本.txt', 'ls/sub one/x.bin', 'ls/sub&two/y.bin', 'ls/plain', 'ls/space end ', 'ls/ctrl\u0001char', 'ls/plus+sign%25.txt'];
    for (const key of keys) await session.objects.put({ bucket, key }, Buffer.from(key), md5(Buffer.from(key)), {});
    for (const delimiter of ['/', undefined]) {
      const mine: { keys: unknown[]; prefixes: string[] } = { keys: [], prefixes: [] };
      const sdk: typeof mine = { keys: [], prefixes: [] };
      let token: string | undefined;
      do {
        const page = await session.objects.list(bucket, { prefix: 'ls/', delimiter, token, maxKeys: 2 });
        mine.keys.push(...page.objects);
        mine.prefixes.push(...page.commonPrefixes);
        token = page.nextToken;
      } while (token);
      // The SDK leaves URL-encoded keys as they came (botocore's unquote_plus is the reference decoding).
      const decode = (value: string | undefined) => value && decodeURIComponent(value.replace(/\+/g, ' '));
      do {
        const page = await session.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'ls/', Delimiter: delimiter, ContinuationToken: token, MaxKeys: 2, EncodingType: 'url' }));
        sdk.keys.push(...(page.Contents ?? []).map((o) => ({ key: decode(o.Key), size: o.Size, lastModified: o.LastModified?.toISOString(), etag: o.ETag, storageClass: o.StorageClass })));
        sdk.prefixes.push(...(page.CommonPrefixes ?? []).map((p) => decode(p.Prefix)!));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      expect(mine).toEqual(sdk);
      expect(mine.keys.length + mine.prefixes.length).toBe(8);
      if (!delimiter) expect((mine.keys as { key: string }[]).map((o) => o.key).sort()).toEqual([...keys].sort());
    }
  });
});

describe('connections', () => {
  it('sends sequential requests over one keep-alive connection', async () => {
    const counted = await proxy();
    const objects = new ObjectRequests({ ...connection, endpoint: counted.endpoint }, 10_000);
    for (let i = 0; i < 10; i++) {
      const body = Buffer.from(`n${i}`);
      await objects.put({ bucket, key: `seq/${i}` }, body, md5(body), {});
      expect(await getAll(objects, `seq/${i}`)).toEqual(body);
    }
    expect(counted.connections()).toBe(1);
    objects.close();
  });

  it('sends a request again on a new connection when the server dropped the idle one', async () => {
    const dropping = await proxy();
    const objects = new ObjectRequests({ ...connection, endpoint: dropping.endpoint }, 10_000);
    const body = Buffer.from('survives a dropped connection');
    await objects.put({ bucket, key: 'drop.bin' }, body, md5(body), {});
    dropping.drop();
    await sleep(100);
    expect(await getAll(objects, 'drop.bin')).toEqual(body);
    expect(dropping.connections()).toBe(2);
  });

  it('stops reading while the consumer is behind, and still delivers every byte in order', async () => {
    const body = randomBytes(8 * 1024 * 1024);
    await session.objects.put({ bucket, key: 'slow.bin' }, body, md5(body), {});
    let inFlight = 0;
    let maxInFlight = 0;
    const chunks: Buffer[] = [];
    await session.objects.get({ bucket, key: 'slow.bin' }, async (chunk) => {
      chunks.push(Buffer.from(chunk));
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await sleep(5);
      inFlight--;
    }, {});
    expect(Buffer.concat(chunks).equals(body)).toBe(true);
    // The socket pauses at 8 staging buffers waiting; one read may add one more before it takes effect.
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(9);
  });

  it('cancels a download mid-body, and the next request works', async () => {
    const body = randomBytes(8 * 1024 * 1024);
    await session.objects.put({ bucket, key: 'cancel.bin' }, body, md5(body), {});
    const controller = new AbortController();
    let received = 0;
    const cancelled = s3Call(session, controller.signal, (o) =>
      session.objects.get({ bucket, key: 'cancel.bin' }, async (chunk) => {
        received += chunk.length;
        if (received > 1024 * 1024) controller.abort();
        await sleep(1);
      }, { signal: o.abortSignal }),
    );
    await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(received).toBeLessThan(body.length);
    expect((await getAll(session.objects, 'cancel.bin')).equals(body)).toBe(true);
  });
});
