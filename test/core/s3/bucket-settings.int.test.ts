import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { adapter as rgwAdapter } from '../../../src-main/core/providers/ceph-rgw';
import { readBucketSettings, readSetting, setBucketTags, setCors, setLifecycle, setPolicy, setVersioning } from '../../../src-main/core/s3/bucket-settings';
import { ServerProfiles } from '../../../src-main/core/s3/server-profile';
import type { S3Session } from '../../../src-main/core/s3/session';
import { serverContext, type ServerContext } from '../../../src-main/core/s3/settings-area';
import { POLICY_TEMPLATES, checkPolicy } from '../../../src-main/ipc/channels/policy-check';
import { userFixture, type UserFixture } from '../../helpers/s3-fixtures';

const rgw = inject('rgw');
let owner: UserFixture;
let reader: UserFixture;
let ctx: ServerContext;

beforeAll(async () => {
  [owner, reader] = await Promise.all([userFixture(rgw, 'settings'), userFixture(rgw, 'settings-b')]);
  await owner.session.client.send(new CreateBucketCommand({ Bucket: `${owner.user.uid}-b` }));
  ctx = await serverContext(owner.session, new ServerProfiles(), `${owner.user.uid}-b`);
});

async function bucket(suffix: string): Promise<string> {
  const name = `${owner.user.uid}-${suffix}`;
  await owner.session.client.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

async function canRead(session: S3Session, b: string, key: string): Promise<boolean> {
  try {
    await session.client.send(new GetObjectCommand({ Bucket: b, Key: key }));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'AccessDenied') return false;
    throw error;
  }
}

describe('bucket settings on Ceph RGW', () => {
  it('knows the server and reads every area, with a reason where RGW has no such setting', async () => {
    expect(ctx.profile.kind).toBe('ceph-rgw');
    const settings = await readBucketSettings(ctx, await bucket('read'));
    expect(settings.server).toEqual({ kind: 'ceph-rgw', name: 'Ceph Object Gateway (RGW)' });
    expect(settings.versioning).toEqual({ state: 'ok', value: 'Off' });
    expect(settings.lifecycle).toEqual({ state: 'ok', value: [] });
    expect(settings.cors).toEqual({ state: 'ok', value: [] });
    expect(settings.policy).toEqual({ state: 'ok', value: null });
    expect(settings.tags).toEqual({ state: 'ok', value: [] });
    expect(settings.objectLock).toEqual({ state: 'ok', value: { enabled: false } });
    // RGW 16 answers GET ?encryption with the bucket listing: a 200 that is not an encryption document.
    expect(settings.encryption).toMatchObject({ state: 'unavailable', reason: expect.stringContaining('<ListBucketResult>') });
  });

  it('turns versioning on and suspends it', async () => {
    const b = await bucket('ver');
    await setVersioning(ctx, b, 'Enabled');
    expect(await readSetting(ctx, b, 'versioning')).toEqual({ state: 'ok', value: 'Enabled' });
    await setVersioning(ctx, b, 'Suspended');
    expect(await readSetting(ctx, b, 'versioning')).toEqual({ state: 'ok', value: 'Suspended' });
  });

  it('writes lifecycle rules (expire after N days, abort unfinished uploads), reads them back and removes them', async () => {
    const b = await bucket('lc');
    await setLifecycle(ctx, b, [
      { ID: 'expire-logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 } },
      { ID: 'abort-uploads', Status: 'Enabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
    ]);
    const read = await readSetting(ctx, b, 'lifecycle');
    expect(read.state).toBe('ok');
    const rules = read.state === 'ok' ? read.value : [];
    expect(rules.find((r) => r.ID === 'expire-logs')).toMatchObject({ Status: 'Enabled', Expiration: { Days: 30 } });
    expect(rules.find((r) => r.ID === 'abort-uploads')).toMatchObject({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } });
    await setLifecycle(ctx, b, []);
    expect(await readSetting(ctx, b, 'lifecycle')).toEqual({ state: 'ok', value: [] });
    // The bucket is still there after the configuration was deleted.
    await owner.session.client.send(new PutObjectCommand({ Bucket: b, Key: 'still-here', Body: 'x' }));
  });

  it('writes CORS rules and removes them', async () => {
    const b = await bucket('cors');
    await setCors(ctx, b, [{ AllowedOrigins: ['https://app.example.com'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['*'], MaxAgeSeconds: 600 }]);
    expect(await readSetting(ctx, b, 'cors')).toEqual({
      state: 'ok',
      value: [expect.objectContaining({ AllowedOrigins: ['https://app.example.com'], AllowedMethods: ['GET', 'PUT'], MaxAgeSeconds: 600 })],
    });
    await setCors(ctx, b, []);
    expect(await readSetting(ctx, b, 'cors')).toEqual({ state: 'ok', value: [] });
  });

  it("a read-only policy template lets the other user read (and not before); removing it takes that back", async () => {
    const b = await bucket('policy');
    await owner.session.client.send(new PutObjectCommand({ Bucket: b, Key: 'report.txt', Body: 'numbers' }));
    expect(await canRead(reader.session, b, 'report.txt')).toBe(false);
    const policy = POLICY_TEMPLATES.readOnlyUser(b, reader.user.uid, ctx.profile.kind);
    expect(checkPolicy(policy, b)).toEqual({ problems: [], warnings: [] });
    await setPolicy(ctx, b, policy);
    expect(await readSetting(ctx, b, 'policy')).toMatchObject({ state: 'ok', value: expect.stringContaining(reader.user.uid) });
    expect(await canRead(reader.session, b, 'report.txt')).toBe(true);
    await setPolicy(ctx, b, null);
    expect(await readSetting(ctx, b, 'policy')).toEqual({ state: 'ok', value: null });
    expect(await canRead(reader.session, b, 'report.txt')).toBe(false);
  });

  it('writes bucket tags, refuses bad ones before sending, and removes them', async () => {
    const b = await bucket('tags');
    await setBucketTags(ctx, b, [{ Key: 'team', Value: 'data' }, { Key: 'cost-center', Value: '42' }]);
    expect(await readSetting(ctx, b, 'tags')).toEqual({ state: 'ok', value: expect.arrayContaining([{ Key: 'team', Value: 'data' }, { Key: 'cost-center', Value: '42' }]) });
    await expect(setBucketTags(ctx, b, [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }])).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('appears twice') });
    await setBucketTags(ctx, b, []);
    expect(await readSetting(ctx, b, 'tags')).toEqual({ state: 'ok', value: [] });
  });

  it('refuses to write default encryption-like areas the server did not prove, without sending the write', async () => {
    const profiles = new ServerProfiles();
    const fresh = await serverContext(owner.session, profiles, `${owner.user.uid}-b`);
    expect(profiles.isProven(owner.session.endpoint, 'encryption')).toBe(false);
    await readSetting(fresh, `${owner.user.uid}-b`, 'encryption');
    expect(profiles.isProven(owner.session.endpoint, 'encryption')).toBe(false);
    await readSetting(fresh, `${owner.user.uid}-b`, 'lifecycle');
    expect(profiles.isProven(owner.session.endpoint, 'lifecycle')).toBe(true);
  });

  it("reads the bucket's quota through the RGW provider account (Admin Ops)", async () => {
    const b = await bucket('quota');
    const session = rgwAdapter.connect({
      accountId: 'a',
      settings: { endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.admin.accessKeyId },
      secrets: { secretAccessKey: rgw.admin.secretAccessKey },
    });
    await owner.session.client.send(new PutObjectCommand({ Bucket: b, Key: 'one', Body: 'hello' }));
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const conf = `${rgw.cephDir}/ceph.conf`;
    await promisify(execFile)('radosgw-admin', ['--conf', conf, 'quota', 'set', '--quota-scope=bucket', `--bucket=${b}`, '--max-objects=1000', '--max-size=1048576']);
    await promisify(execFile)('radosgw-admin', ['--conf', conf, 'quota', 'enable', '--quota-scope=bucket', `--bucket=${b}`]);
    expect(await session.bucketQuota?.(b)).toMatchObject({ enabled: true, maxObjects: 1000, maxBytes: 1048576, usedObjects: 1, usedBytes: 5 });
  });
});
