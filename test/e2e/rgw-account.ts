import { CreateBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { createS3Client } from '../../src-main/core/s3/client';
import { createRgwUser, removeRgwKey } from '../helpers/rgw-users';
import type { RgwInfo } from '../servers/rgw';

const run = promisify(execFile);

/** A user with a bucket but no access key left, so the account starts at "Create S3 credentials". */
export async function keylessUserWithBucket(rgw: RgwInfo, prefix = 'keys') {
  const user = await createRgwUser(rgw, prefix);
  const bucket = `${user.uid}-data`;
  const s3 = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, ...user, forcePathStyle: true, checksums: 'when-required' });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  s3.destroy();
  await removeRgwKey(rgw, user.uid, user.accessKeyId);
  return { uid: user.uid, bucket };
}

/** The user's S3 keys as RGW itself reports them (independent of the code under test). */
export async function rgwKeys(rgw: RgwInfo, uid: string): Promise<{ accessKeyId: string; secretAccessKey: string }[]> {
  const { stdout } = await run('radosgw-admin', ['--conf', join(rgw.cephDir, 'ceph.conf'), 'user', 'info', `--uid=${uid}`]);
  return (JSON.parse(stdout) as { keys: { access_key: string; secret_key: string }[] }).keys.map((k) => ({ accessKeyId: k.access_key, secretAccessKey: k.secret_key }));
}

export async function listBuckets(rgw: RgwInfo, accessKeyId: string, secretAccessKey: string): Promise<string[]> {
  const s3 = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, accessKeyId, secretAccessKey, forcePathStyle: true, checksums: 'when-required' }, { maxAttempts: 1 });
  try {
    return ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name ?? '');
  } finally {
    s3.destroy();
  }
}

/** Fills the "Add account" form for a Ceph RGW admin account managing `uid`'s keys (not yet submitted). */
export async function addRgwAccount(page: Page, rgw: RgwInfo, uid: string, adminSecret: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'Add account' }).first().click();
  await page.getByRole('radio', { name: /Ceph RGW/ }).check();
  await page.getByLabel('Account name').fill('RGW lab');
  await page.getByLabel('Admin API endpoint').fill(rgw.endpoint);
  await page.getByLabel('Admin access key').fill(rgw.admin.accessKeyId);
  await page.getByLabel('Admin secret key').fill(adminSecret);
  await page.getByLabel('User ID').fill(uid);
}

/** Creates a key in the account's keys screen (saved in the keychain) and returns its access key ID. */
export async function createSavedKey(page: Page, description: string): Promise<string> {
  await page.getByRole('button', { name: 'Create S3 credentials' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create key' });
  await dialog.getByLabel('Description').fill(description);
  await dialog.getByRole('button', { name: 'Create key' }).click();
  const created = page.getByRole('dialog', { name: 'Key created' });
  const keyId = (await created.getByTestId('new-access-key').textContent())!.trim();
  await created.getByRole('button', { name: 'Done' }).click();
  return keyId;
}

/** An RGW account (optionally set to reset keys in place) with one key saved in the keychain, on the Credentials screen. */
export async function savedRgwKey(page: Page, rgw: RgwInfo, name: string, options: { resetInPlace?: boolean } = {}) {
  const { uid, bucket } = await keylessUserWithBucket(rgw, name);
  await addRgwAccount(page, rgw, uid, rgw.admin.secretAccessKey);
  if (options.resetInPlace) await page.getByLabel(/^Rotation/).selectOption('regenerate');
  await page.getByRole('button', { name: 'Verify and save' }).click();
  const keyId = await createSavedKey(page, `e2e ${name}`);
  const [key] = await rgwKeys(rgw, uid);
  const label = `RGW lab: e2e ${name}`;
  return { uid, bucket, keyId, key, label, row: await credentialRow(page, label) };
}

export async function credentialRow(page: Page, label: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Credentials' }).click();
  return page.getByRole('table', { name: 'Saved credentials' }).getByRole('row').filter({ hasText: label });
}
