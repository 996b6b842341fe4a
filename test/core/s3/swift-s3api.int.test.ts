import { CreateBucketCommand, DeleteBucketLifecycleCommand, GetObjectCommand, HeadBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addGrant, readAcl } from '../../../src-main/core/s3/acl';
import { readBucketSettings, setBucketTags, setCors, setLifecycle, setPolicy, setVersioning } from '../../../src-main/core/s3/bucket-settings';
import { readObjectProperties, updateObjectProperties } from '../../../src-main/core/s3/object-properties';
import { planPreview } from '../../../src-main/core/s3/preview';
import { profileFor, ServerProfiles } from '../../../src-main/core/s3/server-profile';
import { openSession, type S3Session } from '../../../src-main/core/s3/session';
import { serverContext, type ServerContext } from '../../../src-main/core/s3/settings-area';
import { measure } from '../../../src-main/core/s3/sizes';
import { countVersions, deleteAllVersions, deleteVersion, listVersionsFolder, restoreVersion } from '../../../src-main/core/s3/versions';
import { claimSwiftAccount, SWIFT_MISSING } from '../../servers/swift';

/*
 * Swift's S3 API answers sub-resources it does not know as if they were absent: DELETE ?lifecycle deletes
 * an empty bucket, PUT ?retention replaces an object's bytes. These tests run every settings action
 * Keydesk has against a real Swift and check that nothing is destroyed, and that what Swift does
 * implement (versions, properties, sizes, previews) works. On the integration-swift project's Swift, in an
 * account of this file's own.
 */

const swift = inject('swift');
if (!swift) console.warn(SWIFT_MISSING);

describe.skipIf(!swift)('Swift S3 API', () => {
  let session: S3Session;
  let n = 0;

  beforeAll(() => {
    const account = claimSwiftAccount(swift!);
    session = openSession({ endpoint: swift!.endpoint, region: swift!.region, accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey, forcePathStyle: true, checksums: 'when-required' });
  });
  afterAll(() => {
    session?.client.destroy();
  });

  async function bucket(): Promise<string> {
    const name = `swift-${++n}-${Date.now().toString(36)}`;
    await session.client.send(new CreateBucketCommand({ Bucket: name }));
    return name;
  }

  async function bytes(b: string, key: string, versionId?: string): Promise<string> {
    const result = await session.client.send(new GetObjectCommand({ Bucket: b, Key: key, VersionId: versionId }));
    return (await result.Body?.transformToString()) ?? '';
  }

  it('is recognised as Swift, and every area it lacks is unavailable with a reason (versioning works)', async () => {
    const b = await bucket();
    const ctx = await serverContext(session, new ServerProfiles(), b);
    expect(ctx.profile).toMatchObject({ kind: 'swift', name: expect.stringMatching(/^OpenStack Swift 2\.\d+\.\d+ \(S3 API\)$/), storageClasses: ['STANDARD'] });
    const settings = await readBucketSettings(ctx, b);
    expect(settings.versioning).toEqual({ state: 'ok', value: 'Off' });
    for (const area of ['lifecycle', 'cors', 'policy', 'tags', 'objectLock', 'encryption'] as const) {
      expect(settings[area], area).toMatchObject({ state: 'unavailable', reason: expect.stringContaining('Swift') });
    }
    expect(await readAcl(ctx, { bucket: b })).toMatchObject({ state: 'unavailable', reason: expect.stringContaining('s3_acl off') });
  });

  // Both ways Keydesk may meet Swift: recognised, and not recognised (a proxy hiding its headers), where
  // only the answers' documents stand between a settings action and the data.
  for (const recognised of [true, false]) {
    it(`no settings action destroys a bucket or an object's bytes (${recognised ? 'Swift recognised' : 'server unknown'})`, async () => {
      const empty = await bucket();
      const full = await bucket();
      await session.client.send(new PutObjectCommand({ Bucket: full, Key: 'keep.txt', Body: 'precious bytes' }));
      const profiles = new ServerProfiles();
      const ctx: ServerContext = recognised ? await serverContext(session, profiles, empty) : { session, profiles, profile: profileFor('other') };
      const actions: [string, (b: string) => Promise<unknown>][] = [
        ['lifecycle remove', (b) => setLifecycle(ctx, b, [])],
        ['lifecycle set', (b) => setLifecycle(ctx, b, [{ ID: 'x', Status: 'Enabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }])],
        ['cors remove', (b) => setCors(ctx, b, [])],
        ['cors set', (b) => setCors(ctx, b, [{ AllowedOrigins: ['*'], AllowedMethods: ['GET'] }])],
        ['policy remove', (b) => setPolicy(ctx, b, null)],
        ['policy set', (b) => setPolicy(ctx, b, '{"Version":"2012-10-17","Statement":[]}')],
        ['tags remove', (b) => setBucketTags(ctx, b, [])],
        ['tags set', (b) => setBucketTags(ctx, b, [{ Key: 'a', Value: 'b' }])],
        ['bucket grant', (b) => addGrant(ctx, { bucket: b }, 'test2:tester2', 'READ')],
        ['object grant', (b) => addGrant(ctx, { bucket: b, key: 'keep.txt' }, 'test2:tester2', 'READ')],
        ['object tags', (b) => updateObjectProperties(ctx, b, 'keep.txt', { tags: { replace: [{ Key: 'a', Value: 'b' }] } })],
        ['versioning on', (b) => setVersioning(ctx, b, 'Enabled')],
        ['versioning suspended', (b) => setVersioning(ctx, b, 'Suspended')],
      ];
      const outcomes: Record<string, string> = {};
      for (const [name, action] of actions) {
        for (const b of [empty, full]) {
          outcomes[`${name} @${b === empty ? 'empty' : 'full'}`] = await action(b).then(
            () => 'ok',
            (error: { code?: string }) => error.code ?? 'thrown',
          );
          await session.client.send(new HeadBucketCommand({ Bucket: empty }));
          expect(await bytes(full, 'keep.txt'), `${name} on ${b}`).toBe('precious bytes');
        }
      }
      // Whatever Swift does not implement is refused (by the profile, or by its answers' documents when
      // it is not recognised), never sent as a write that could act on the bucket or the object.
      for (const [name, outcome] of Object.entries(outcomes)) {
        if (name.startsWith('versioning')) expect(outcome, name).toBe('ok');
        else if (name.endsWith('@empty') && name.startsWith('object')) expect(outcome, name).toMatch(/^(NOT_FOUND|UNSUPPORTED)$/);
        else if (recognised || /^(lifecycle|cors|policy|tags)/.test(name)) expect(outcome, name).toBe('UNSUPPORTED');
        else expect(outcome, name).not.toBe('ok');
      }
    });
  }

  it('(the hazard these guards keep away: a plain DeleteBucketLifecycle deletes an empty bucket on Swift)', async () => {
    const b = await bucket();
    await session.client.send(new DeleteBucketLifecycleCommand({ Bucket: b }));
    await expect(session.client.send(new HeadBucketCommand({ Bucket: b }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });

  it('lists, downloads by version, restores and deletes versions, and deletes every version of a folder', async () => {
    const b = await bucket();
    await session.client.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
    for (const body of ['one', 'two', 'three']) await session.client.send(new PutObjectCommand({ Bucket: b, Key: 'docs/a.txt', Body: body }));
    await session.client.send(new PutObjectCommand({ Bucket: b, Key: 'docs/b.txt', Body: 'bee' }));
    const rows = [];
    for await (const page of listVersionsFolder(session, b, 'docs/')) rows.push(...page.objects);
    const a = rows.filter((r) => r.key === 'docs/a.txt');
    expect(a.map((r) => r.isLatest)).toEqual([true, false, false]);
    const oldest = a[2].versionId as string;
    expect(await bytes(b, 'docs/a.txt', oldest)).toBe('one');
    await restoreVersion(session, b, 'docs/a.txt', oldest);
    expect(await bytes(b, 'docs/a.txt')).toBe('one');
    await deleteVersion(session, b, 'docs/a.txt', a[1].versionId as string);
    expect(await countVersions(session, b, { keys: ['docs/a.txt'] })).toMatchObject({ versions: 3, deleteMarkers: 0 });
    // DeleteObjects on Swift needs Content-MD5, which the session adds.
    expect(await deleteAllVersions(session, b, { folders: ['docs/'] })).toBe(4);
    expect(await countVersions(session, b, { folders: ['docs/'] })).toMatchObject({ versions: 0, deleteMarkers: 0 });
  });

  it('edits content type and metadata in place (bytes kept) and measures sizes and previews text', async () => {
    const b = await bucket();
    await session.client.send(new PutObjectCommand({ Bucket: b, Key: 'notes/readme.md', Body: '# hello', ContentType: 'application/octet-stream' }));
    const ctx = await serverContext(session, new ServerProfiles(), b);
    expect(await updateObjectProperties(ctx, b, 'notes/readme.md', { contentType: 'text/markdown', cacheControl: 'max-age=60', metadata: { replace: { owner: 'ops' } } })).toBe(true);
    const props = await readObjectProperties(ctx, b, 'notes/readme.md');
    expect(props).toMatchObject({ contentType: 'text/markdown', cacheControl: 'max-age=60', metadata: { owner: 'ops' } });
    expect(props.tags).toMatchObject({ state: 'unavailable' });
    expect(await bytes(b, 'notes/readme.md')).toBe('# hello');
    await expect(updateObjectProperties(ctx, b, 'notes/readme.md', { storageClass: 'GLACIER' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await measure(session, b, [''])).toEqual({ objects: 1, bytes: 7 });
    expect(await planPreview(session, b, 'notes/readme.md')).toMatchObject({ kind: 'text', limit: 7, truncated: false });
  });
});
