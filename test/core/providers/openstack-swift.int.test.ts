import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderSession } from '../../../src-main/core/providers/adapter';
import { adapter } from '../../../src-main/core/providers/openstack-keystone';
import { createBucket, listBuckets } from '../../../src-main/core/s3/buckets';
import type { S3Connection } from '../../../src-main/core/s3/client';
import { listFolder } from '../../../src-main/core/s3/listing';
import { openSession, type S3Session } from '../../../src-main/core/s3/session';
import { TransferQueue } from '../../../src-main/core/transfers/queue';
import { createEc2Credential, createKeystoneUser, grantRole, type KeystoneRole, type KeystoneUser } from '../../helpers/keystone-users';
import { md5File, MiB, randomFile, tempDir } from '../../helpers/s3-fixtures';
import { KEYSTONE_MISSING, keystoneInstalled, useKeystones, type KeystoneInfo } from '../../servers/keystone';
import { startSwift, SWIFT_MISSING, swiftInstalled, type SwiftInfo } from '../../servers/swift';

/*
 * The OpenStack adapter end to end through Swift's S3 API with Keystone auth (s3token, keystoneauth and
 * authtoken in the proxy pipeline, as OpenStack clouds run it): an EC2 credential made by Keydesk's adapter
 * browses, uploads and downloads through Swift; a reader's key reads only; the credential deleted by the
 * adapter is refused on the very next request, with a sentence that says what to check.
 */

const installed = keystoneInstalled() && swiftInstalled();
if (!installed) console.warn(keystoneInstalled() ? SWIFT_MISSING : KEYSTONE_MISSING);

describe.skipIf(!installed)('OpenStack Keystone EC2 credentials on Swift S3 API', () => {
  let keystone: KeystoneInfo;
  let swift: SwiftInfo;
  const stops: (() => Promise<void>)[] = [];
  const queues: TransferQueue[] = [];
  let dir: string;

  beforeAll(async () => {
    const keystones = await useKeystones(1);
    stops.push(keystones.stop);
    [keystone] = keystones.infos;
    const started = await startSwift({ keystone: { url: keystone.url, adminPassword: keystone.admin.password } });
    stops.unshift(started.stop);
    swift = started.info;
    dir = await tempDir('keydesk-swift-ks-');
  }, 600_000);
  afterAll(async () => {
    await Promise.all(queues.map((q) => q.shutdown()));
    for (const stop of stops) await stop();
  });

  function providerSession(user: KeystoneUser): ProviderSession {
    return adapter.connect({
      accountId: 'ks-swift',
      settings: { authUrl: keystone.url.replace(/\/v3$/, ''), authMethod: 'password', username: user.username, projectName: user.projectName, s3Endpoint: swift.endpoint, s3Region: swift.region },
      secrets: { password: user.password },
    });
  }

  async function keyFor(role: KeystoneRole): Promise<{ provider: ProviderSession; key: { accessKeyId: string; secretAccessKey: string }; s3: S3Session; connection: S3Connection } & KeystoneUser> {
    const user = await createKeystoneUser(keystone, `swift-${role}`, { role });
    const provider = providerSession(user);
    const created = await provider.createKey({});
    const key = { accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey as string };
    const connection: S3Connection = { ...provider.s3Location(), ...key, checksums: 'when-required' };
    return { ...user, provider, key, connection, s3: openSession(connection) };
  }

  function queueFor(connection: S3Connection, name: string): TransferQueue {
    const q = new TransferQueue({ journalDir: join(dir, name), resolveEndpoint: () => ({ connection, settings: { partSizeMiB: 5, concurrency: 2 } }) });
    queues.push(q);
    return q;
  }

  it('a member key made by the adapter browses, uploads (multipart) and downloads through Swift, and is refused once revoked', async () => {
    const { provider, key, s3, connection } = await keyFor('member');
    await createBucket(s3, 'ks-data');
    expect((await listBuckets(s3)).map((b) => b.name)).toEqual(['ks-data']);

    // 12 MiB: three parts through the lean path; 'skip' costs a HeadObject 404 first (Swift's authtoken
    // answers those chunked, with a stray terminator the next request on that socket must survive).
    const file = await randomFile(join(dir, 'upload.bin'), 12 * MiB);
    const q = queueFor(connection, 'member');
    const up = await q.addUpload({ credentialId: 'ks', bucket: 'ks-data', key: 'in/upload.bin', file, conflict: 'skip' });
    expect((await q.wait(up.id)).state).toBe('done');
    const page = (await listFolder(s3, 'ks-data', 'in/')[Symbol.asyncIterator]().next()).value;
    expect(page.objects.map((o: { key: string; size: number }) => [o.key, o.size])).toEqual([['in/upload.bin', 12 * MiB]]);
    const target = join(dir, 'download.bin');
    const down = await q.addDownload({ credentialId: 'ks', bucket: 'ks-data', key: 'in/upload.bin', target });
    expect((await q.wait(down.id)).state).toBe('done');
    expect(await md5File(target)).toBe(await md5File(file));

    await provider.deleteKey!(key.accessKeyId, {});
    await expect(listBuckets(s3)).rejects.toMatchObject({
      code: 'SIGNATURE_MISMATCH',
      status: 403,
      message: expect.stringContaining('OpenStack Swift refused this key pair'),
      hint: expect.stringContaining('openstack ec2 credentials list'),
    });
    s3.client.destroy();
  });

  it("a reader's key (made in Keystone: Keydesk's adapter asks for member) lists and downloads but cannot write: AccessDenied, said plainly", async () => {
    const member = await keyFor('member');
    await createBucket(member.s3, 'ks-shared');
    const file = await randomFile(join(dir, 'shared.bin'), 64 * 1024);
    const writer = queueFor(member.connection, 'writer');
    expect((await writer.wait((await writer.addUpload({ credentialId: 'ks', bucket: 'ks-shared', key: 'shared.bin', file })).id)).state).toBe('done');

    // A user with the reader role on the member's project; their EC2 credential for that project.
    const readerUser = await createKeystoneUser(keystone, 'swift-reader', { role: 'none' });
    await grantRole(keystone, readerUser.userId, member.projectId, 'reader');
    const ec2 = await createEc2Credential(keystone, { ...readerUser, projectId: member.projectId, projectName: member.projectName });
    const connection: S3Connection = { ...member.provider.s3Location(), accessKeyId: ec2.access, secretAccessKey: ec2.secret, checksums: 'when-required' };
    const reader = openSession(connection);
    expect((await listBuckets(reader)).map((b) => b.name)).toEqual(['ks-shared']);
    const q = queueFor(connection, 'reader');
    const target = join(dir, 'shared-down.bin');
    expect((await q.wait((await q.addDownload({ credentialId: 'ks', bucket: 'ks-shared', key: 'shared.bin', target })).id)).state).toBe('done');
    expect(await md5File(target)).toBe(await md5File(file));

    await expect(createBucket(reader, 'ks-nope')).rejects.toMatchObject({ code: 'ACCESS_DENIED', status: 403, message: expect.stringContaining('denied access with this key') });
    const up = await q.wait((await q.addUpload({ credentialId: 'ks', bucket: 'ks-shared', key: 'nope.bin', file })).id);
    expect(up).toMatchObject({ state: 'failed', error: expect.objectContaining({ code: 'ACCESS_DENIED' }) });
    const names = [];
    for await (const page of listFolder(member.s3, 'ks-shared', '')) names.push(...page.objects.map((o) => o.key));
    expect(names).toEqual(['shared.bin']);
    member.s3.client.destroy();
    reader.client.destroy();
  });
});
