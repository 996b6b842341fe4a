import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addGrant, readAcl } from '../../../src-main/core/s3/acl';
import { readObjectProperties, updateManyObjects, updateObjectProperties } from '../../../src-main/core/s3/object-properties';
import { profileFor, ServerProfiles } from '../../../src-main/core/s3/server-profile';
import { openSession, type S3Session } from '../../../src-main/core/s3/session';
import { serverContext, type ServerContext } from '../../../src-main/core/s3/settings-area';
import { startRenamingProxy } from '../../helpers/renaming-proxy';
import { MiB, userFixture, type UserFixture } from '../../helpers/s3-fixtures';

/*
 * Changing an object's properties copies it onto itself, which on S3 resets its ACL to owner-only. These
 * tests cut that work at the points where grants could be lost (the server ignores the grant headers,
 * putting them back fails, a cancel lands after the server made the copy) and check that every grant is
 * there afterwards or the error names each one; and that a server which does not know object tags or
 * ACLs (RGW behind a proxy that renames ?tagging and ?acl) is never sent a write that replaces bytes.
 */

const rgw = inject('rgw');
let owner: UserFixture;
let other: UserFixture;
let bucket: string;

beforeAll(async () => {
  [owner, other] = await Promise.all([userFixture(rgw, 'cip-a'), userFixture(rgw, 'cip-b')]);
  bucket = `${owner.user.uid}-cip`;
  await owner.session.client.send(new CreateBucketCommand({ Bucket: bucket }));
});

const put = (key: string, body: string | Buffer, extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {}) =>
  owner.session.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...extra }));
const head = (key: string) => owner.session.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
const bytes = async (key: string) => Buffer.from(await (await owner.session.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
const otherReads = (key: string) => other.session.client.send(new GetObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);

/** A session of the owner's whose requests a test can tamper with, and its server context. */
async function tamperedContext(tamper: (command: string, request: { headers: Record<string, string> }) => void | Promise<void>): Promise<{ ctx: ServerContext; session: S3Session }> {
  const session = openSession(owner.connection);
  session.client.middlewareStack.add(
    (next, context) => async (args) => {
      await tamper((context as { commandName: string }).commandName, args.request as { headers: Record<string, string> });
      return next(args);
    },
    { step: 'build', name: 'testTamper' },
  );
  return { ctx: await serverContext(session, new ServerProfiles(), bucket), session };
}

/** A server that ignores x-amz-grant-* on a copy (the object comes out owner-only). */
const ignoreGrantHeaders = (command: string, request: { headers: Record<string, string> }) => {
  if (command !== 'CopyObjectCommand' && command !== 'CreateMultipartUploadCommand') return;
  for (const name of Object.keys(request.headers)) if (name.startsWith('x-amz-grant-')) delete request.headers[name];
};

describe('a copy in place keeps the ACL', () => {
  it('in the copy request itself, for single and multipart copies', async () => {
    const setup = await serverContext(owner.session, new ServerProfiles(), bucket);
    // No PutObjectAcl gets through: grants can only survive by travelling with the copy.
    const { ctx, session } = await tamperedContext((command) => {
      if (command === 'PutObjectAclCommand') throw new Error('PutObjectAcl is not expected here');
    });
    await put('single.txt', 'one', { Tagging: 'keep=me' });
    await put('multi.bin', randomBytes(11 * MiB), { Tagging: 'keep=me' });
    for (const key of ['single.txt', 'multi.bin']) {
      await addGrant(setup, { bucket, key }, other.user.uid, 'READ');
      await updateObjectProperties(ctx, bucket, key, { cacheControl: 'max-age=5' }, { multipartThreshold: 5 * MiB, partSize: 5 * MiB });
      expect((await head(key)).CacheControl).toBe('max-age=5');
      expect(await otherReads(key), key).toBe(true);
    }
    for (const key of ['single.txt', 'multi.bin']) expect((await readObjectProperties(ctx, bucket, key)).tags, key).toEqual({ state: 'ok', value: [{ Key: 'keep', Value: 'me' }] });
    session.client.destroy();
  });

  it('keeps the tags RGW drops whenever a copy replaces metadata, and names them when it cannot', async () => {
    // (RGW 16 leaves a copy with MetadataDirective REPLACE without tags, whatever TaggingDirective says.)
    await put('tagged.txt', 'six', { Tagging: 'team=alpha&stage=final' });
    const ctx = await serverContext(owner.session, new ServerProfiles(), bucket);
    await updateObjectProperties(ctx, bucket, 'tagged.txt', { cacheControl: 'max-age=6' });
    expect((await readObjectProperties(ctx, bucket, 'tagged.txt')).tags).toEqual({ state: 'ok', value: expect.arrayContaining([{ Key: 'team', Value: 'alpha' }, { Key: 'stage', Value: 'final' }]) });
    // Removing every tag together with a property change leaves none.
    await updateObjectProperties(ctx, bucket, 'tagged.txt', { cacheControl: 'max-age=7', tags: { replace: [] } });
    expect((await readObjectProperties(ctx, bucket, 'tagged.txt')).tags).toEqual({ state: 'ok', value: [] });

    await put('untagged-later.txt', 'seven', { Tagging: 'team=beta' });
    const { ctx: failing, session } = await tamperedContext((command) => {
      if (command === 'PutObjectTaggingCommand') throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    });
    await expect(updateObjectProperties(failing, bucket, 'untagged-later.txt', { cacheControl: 'max-age=8' })).rejects.toMatchObject({
      message: expect.stringMatching(/"untagged-later\.txt" was changed, but .* tags .*team=beta/),
    });
    expect((await head('untagged-later.txt')).CacheControl).toBe('max-age=8');
    session.client.destroy();
  });

  it('puts grants back where the server ignored the grant headers', async () => {
    await put('ignored.txt', 'two');
    const { ctx, session } = await tamperedContext(ignoreGrantHeaders);
    await addGrant(ctx, { bucket, key: 'ignored.txt' }, other.user.uid, 'READ');
    await updateObjectProperties(ctx, bucket, 'ignored.txt', { contentType: 'text/x-two' });
    expect((await head('ignored.txt')).ContentType).toBe('text/x-two');
    expect(await otherReads('ignored.txt')).toBe(true);
    session.client.destroy();
  });

  it('names every grant to add again when putting them back fails after the copy', async () => {
    await put('lost.txt', 'three');
    const { ctx, session } = await tamperedContext((command, request) => {
      ignoreGrantHeaders(command, request);
      if (command === 'PutObjectAclCommand') throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    });
    const setup = await serverContext(owner.session, new ServerProfiles(), bucket);
    await addGrant(setup, { bucket, key: 'lost.txt' }, other.user.uid, 'READ');
    await addGrant(setup, { bucket, key: 'lost.txt' }, other.user.uid, 'READ_ACP');
    const failure = await updateObjectProperties(ctx, bucket, 'lost.txt', { contentType: 'text/x-three' }).catch((error: Error) => error);
    expect(failure).toMatchObject({ message: expect.stringContaining('"lost.txt" was changed') });
    expect((failure as Error).message).toContain(`READ to ${other.user.uid}`);
    expect((failure as Error).message).toContain(`READ_ACP to ${other.user.uid}`);
    expect((failure as Error).message).toContain('Permissions…');
    // What the message says is so: the change was made and the grants are gone.
    expect((await head('lost.txt')).ContentType).toBe('text/x-three');
    expect(await otherReads('lost.txt')).toBe(false);
    session.client.destroy();
  });

  it('puts grants back when a cancel lands after the server made the copy', async () => {
    await put('cancelled.txt', 'four');
    const controller = new AbortController();
    const session = openSession(owner.connection);
    session.client.middlewareStack.add(
      (next, context) => async (args) => {
        if ((context as { commandName: string }).commandName === 'CopyObjectCommand') ignoreGrantHeaders('CopyObjectCommand', args.request as { headers: Record<string, string> });
        const result = await next(args);
        // The server has made the copy; the person cancels before its answer is read.
        if ((context as { commandName: string }).commandName === 'CopyObjectCommand') {
          controller.abort();
          throw Object.assign(new Error('aborted'), { name: 'AbortError' });
        }
        return result;
      },
      { step: 'build', name: 'testCancelAfterCopy' },
    );
    const ctx = { ...(await serverContext(session, new ServerProfiles(), bucket)), signal: controller.signal };
    await addGrant({ ...ctx, signal: undefined }, { bucket, key: 'cancelled.txt' }, other.user.uid, 'READ');
    await expect(updateObjectProperties(ctx, bucket, 'cancelled.txt', { contentType: 'text/x-four' })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect((await head('cancelled.txt')).ContentType).toBe('text/x-four');
    expect(await otherReads('cancelled.txt')).toBe(true);
    session.client.destroy();
  });

  it('a key that may not read the ACL changes nothing (the copy would reset it)', async () => {
    await put('guarded.txt', 'five', { ContentType: 'text/x-five' });
    const ownerCtx = await serverContext(owner.session, new ServerProfiles(), bucket);
    await addGrant(ownerCtx, { bucket, key: 'guarded.txt' }, other.user.uid, 'READ');
    await addGrant(ownerCtx, { bucket }, other.user.uid, 'WRITE');
    const otherCtx = await serverContext(other.session, new ServerProfiles(), bucket);
    await expect(updateObjectProperties(otherCtx, bucket, 'guarded.txt', { contentType: 'text/x-changed' })).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      message: expect.stringContaining('"guarded.txt" was not changed'),
    });
    expect((await head('guarded.txt')).ContentType).toBe('text/x-five');
    expect(await otherReads('guarded.txt')).toBe(true);
  });

  it('a batch reports each object whose grants could not be checked, and still changes the rest', async () => {
    const keys = ['batch/a.txt', 'batch/b.txt', 'batch/c.txt'];
    await Promise.all(keys.map((k) => put(k, k)));
    const setup = await serverContext(owner.session, new ServerProfiles(), bucket);
    await addGrant(setup, { bucket, key: 'batch/b.txt' }, other.user.uid, 'READ');
    const { ctx, session } = await tamperedContext((command, request) => {
      ignoreGrantHeaders(command, request);
      if (command === 'PutObjectAclCommand') throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    });
    await expect(updateManyObjects(ctx, bucket, keys, { cacheControl: 'no-store' })).rejects.toMatchObject({
      message: expect.stringMatching(/^1 of 3 objects could not be changed; the first was "batch\/b\.txt": .*READ to /),
      hint: '2 object(s) were changed.',
    });
    for (const key of keys) expect((await head(key)).CacheControl, key).toBe('no-store');
    session.client.destroy();
  });
});

describe('a server that does not know object tags or ACLs (RGW behind a proxy renaming ?tagging and ?acl)', () => {
  let proxy: Awaited<ReturnType<typeof startRenamingProxy>>;
  let session: S3Session;

  beforeAll(async () => {
    proxy = await startRenamingProxy({ endpoint: rgw.endpoint, region: rgw.region, accessKeyId: owner.user.accessKeyId, secretAccessKey: owner.user.secretAccessKey }, { tagging: 'keydesk-unknown', acl: 'keydesk-unknown' });
    session = openSession({ ...owner.connection, endpoint: proxy.endpoint });
  });
  afterAll(async () => {
    session?.client.destroy();
    await proxy?.close();
  });

  const bodies: Record<string, Buffer> = {
    'unknown/empty': Buffer.alloc(0),
    'unknown/full': Buffer.from('precious bytes'),
    'unknown/looks-like-tags.xml': Buffer.from('<?xml version="1.0" encoding="UTF-8"?><Tagging><TagSet></TagSet></Tagging>'),
    'unknown/looks-like-acl.xml': Buffer.from('<?xml version="1.0"?><AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList></AccessControlList></AccessControlPolicy>'),
  };

  it('(the hazard: behind the proxy, a plain PutObjectTagging replaces the object\'s bytes)', async () => {
    await put('unknown/victim', 'precious bytes');
    await session.client.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'unknown/victim', Tagging: { TagSet: [{ Key: 'a', Value: 'b' }] } }));
    expect((await bytes('unknown/victim')).toString()).toContain('<Tagging');
  });

  it('reads tags and ACLs as unavailable, refuses to write them, and leaves every object as it was', async () => {
    for (const [key, body] of Object.entries(bodies)) await put(key, body);
    const ctx: ServerContext = { session, profiles: new ServerProfiles(), profile: profileFor('other') };
    for (const key of Object.keys(bodies)) {
      expect((await readObjectProperties(ctx, bucket, key)).tags, key).toMatchObject({ state: 'unavailable', reason: expect.stringContaining('the object itself') });
      expect(await readAcl(ctx, { bucket, key }), key).toMatchObject({ state: 'unavailable' });
      await expect(updateObjectProperties(ctx, bucket, key, { tags: { replace: [{ Key: 'a', Value: 'b' }] } }), key).rejects.toMatchObject({ code: 'UNSUPPORTED' });
      await expect(addGrant(ctx, { bucket, key }, other.user.uid, 'READ'), key).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    }
    for (const [key, body] of Object.entries(bodies)) expect((await bytes(key)).equals(body), key).toBe(true);
    expect(ctx.profiles.isProven(proxy.endpoint, 'objectTags')).toBe(false);
    expect(ctx.profiles.isProven(proxy.endpoint, 'acl')).toBe(false);
    // Properties other than tags still change (the copy needs neither sub-resource), bytes kept.
    expect(await updateObjectProperties(ctx, bucket, 'unknown/full', { cacheControl: 'max-age=9' })).toBe(true);
    expect((await head('unknown/full')).CacheControl).toBe('max-age=9');
    expect((await bytes('unknown/full')).toString()).toBe('precious bytes');
  });
});
