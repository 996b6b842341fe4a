import type { S3Client } from '@aws-sdk/client-s3';
import { expect, type Page } from '@playwright/test';
import { createS3Client } from '../../src-main/core/s3/client';
import type { RgwUser } from '../helpers/rgw-users';
import type { RgwInfo } from '../servers/rgw';

/** The credential flow from credentials.spec, then Browse Buckets (RGW's, or any S3 server's endpoint). */
export async function addCredential(page: Page, rgw: Pick<RgwInfo, 'endpoint' | 'region'>, user: Pick<RgwUser, 'accessKeyId' | 'secretAccessKey'>, label = 'RGW browse'): Promise<void> {
  await page.getByRole('button', { name: 'Add credentials' }).first().click();
  await page.getByLabel('Label').fill(label);
  await page.getByLabel('Endpoint').fill(rgw.endpoint);
  await page.getByLabel('Region').fill(rgw.region);
  await page.getByLabel('Access key ID').fill(user.accessKeyId);
  await page.getByLabel('Secret access key').fill(user.secretAccessKey);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('button', { name: 'Browse Buckets' }).click();
}

/** Opens a bucket from the bucket list. */
export async function openBucket(page: Page, bucket: string): Promise<void> {
  await page.getByRole('button', { name: bucket, exact: true }).click();
  await expect(page.getByRole('region', { name: `Bucket ${bucket}` })).toBeVisible();
}

/** A row of the objects grid, by the exact text of its name cell. */
export function row(page: Page, name: string) {
  return page.getByRole('grid', { name: 'Objects' }).getByRole('row').filter({ has: page.getByRole('gridcell', { name, exact: true }) });
}

/** Browser mode has no file dialog: the path dialog takes a typed path. */
export async function typePath(page: Page, path: string, confirm: string): Promise<void> {
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Local path on this computer').fill(path);
  await dialog.getByRole('button', { name: confirm }).click();
}

/** An S3 client of the test's own, to seed and check the server independently of the app. */
export function s3For(rgw: Pick<RgwInfo, 'endpoint' | 'region'>, user: Pick<RgwUser, 'accessKeyId' | 'secretAccessKey'>): S3Client {
  return createS3Client({ endpoint: rgw.endpoint, region: rgw.region, ...user, forcePathStyle: true, checksums: 'when-required' });
}

/** Runs an object action from the toolbar, or from its "More…" menu where a narrow pane folded it there. */
export async function objectAction(page: Page, name: string): Promise<void> {
  const toolbar = page.getByRole('toolbar', { name: 'Object actions' });
  const button = toolbar.getByRole('button', { name, exact: true });
  if (await button.isVisible()) return button.click();
  await toolbar.getByRole('button', { name: 'More…' }).click();
  await page.getByRole('menu', { name: 'More object actions' }).getByText(name, { exact: true }).click();
}

/** Runs a bucket action (Settings…, Calculate size, Empty bucket…, Delete bucket…) from the pane's header or its "Bucket" menu. */
export async function bucketAction(page: Page, name: string): Promise<void> {
  const head = page.locator('.bucket-toolbar');
  const button = head.getByRole('button', { name, exact: true });
  if (await button.isVisible()) return button.click();
  await head.getByRole('button', { name: 'Bucket', exact: true }).click();
  await page.getByRole('menu', { name: /^Bucket / }).getByText(name, { exact: true }).click();
}
