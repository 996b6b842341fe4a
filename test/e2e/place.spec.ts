import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { createRgwUser, type RgwUser } from '../helpers/rgw-users';
import type { RgwInfo } from '../servers/rgw';
import { addCredential, row, s3For } from './browse-helpers';
import { expect, test } from './fixtures';

/** A bucket with reports/2024/q1.txt in it, and Keydesk browsing it with the user's key. */
async function bucketWithFolders(page: Page, rgw: RgwInfo, prefix: string): Promise<{ user: RgwUser; bucket: string }> {
  const user = await createRgwUser(rgw, prefix);
  const bucket = `${user.uid}-files`;
  const s3 = s3For(rgw, user);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'reports/2024/q1.txt', Body: 'numbers' }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'readme.txt', Body: 'hello' }));
  s3.destroy();
  await addCredential(page, rgw, user);
  return { user, bucket };
}

const here = (page: Page) => page.getByRole('navigation', { name: 'Folder path' }).locator('[aria-current="location"]');
const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });
const fragment = (page: Page) => new URLSearchParams(new URL(page.url()).hash.slice(1));

test('the place is kept: across screens, a reload and a restart; Back and Forward move between folders and screens', async ({ page, rgw, webServer, snap }) => {
  const { bucket } = await bucketWithFolders(page, rgw, 'place');
  const token = fragment(page).get('token');
  expect(token).toMatch(/^[0-9a-f]{32,}$/);

  await page.getByRole('button', { name: bucket }).click();
  await row(page, 'reports/').dblclick();
  await row(page, '2024/').dblclick();
  await expect(here(page)).toHaveText('2024');
  await expect(row(page, 'q1.txt')).toBeVisible();
  // The place is in the address, after the token, which stays as it was.
  await expect.poll(() => fragment(page).get('prefix')).toBe('reports/2024/');
  expect(Object.fromEntries(fragment(page))).toMatchObject({ token, view: 'browse', bucket, prefix: 'reports/2024/' });

  // Another screen and back: the same bucket and folder.
  await nav(page, 'Credentials').click();
  await expect(page.getByRole('heading', { name: 'Credentials', level: 1 })).toBeVisible();
  await nav(page, 'Buckets').click();
  await expect(here(page)).toHaveText('2024');

  // A reload opens the same folder.
  await page.reload();
  await expect(here(page)).toHaveText('2024');
  await expect(row(page, 'q1.txt')).toBeVisible();
  await snap('place-restored-after-reload');

  // Back and Forward stay inside the app: screens, then folders.
  await page.goBack();
  await expect(page.getByRole('heading', { name: 'Credentials', level: 1 })).toBeVisible();
  await page.goBack();
  await expect(here(page)).toHaveText('2024');
  await page.goBack();
  await expect(here(page)).toHaveText('reports');
  await page.goBack();
  await expect(here(page)).toHaveText(bucket);
  await expect(row(page, 'readme.txt')).toBeVisible();
  await page.goForward();
  await expect(here(page)).toHaveText('reports');
  await expect(row(page, '2024/')).toBeVisible();
  expect(new URL(page.url()).origin).toBe(new URL(webServer!.url).origin);

  // A restart (the plain URL npm run web prints, no place in it) opens where the user was last.
  // The last move's save may still be on its way when the new page asks.
  const restarted = await page.context().newPage();
  await expect(async () => {
    await restarted.goto(webServer!.url);
    await expect(here(restarted)).toHaveText('reports', { timeout: 3000 });
  }).toPass({ timeout: 20_000 });
  await expect(row(restarted, '2024/')).toBeVisible();
  await restarted.close();
});

test('a link to a bucket and folder opens it; links to what is not there say so and show something sensible', async ({ page: first, rgw, webServer }) => {
  let page = first;
  const context = page.context();
  const { user, bucket } = await bucketWithFolders(page, rgw, 'link');
  await expect(page.getByRole('table', { name: 'Buckets' })).toBeVisible();
  const cred = fragment(page).get('cred')!;
  const base = webServer!.url;
  // Each link opened as a new tab would open it.
  const open = async (params: Record<string, string>) => {
    await page.close();
    page = await context.newPage();
    await page.goto(`${base}&${new URLSearchParams(params)}`);
  };

  await open({ view: 'browse', cred, bucket, prefix: 'reports/2024/' });
  await expect(here(page)).toHaveText('2024');
  await expect(row(page, 'q1.txt')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'not' })).toHaveCount(0);

  await open({ view: 'browse', cred: randomUUID(), bucket, prefix: 'reports/' });
  await expect(page.getByRole('status').filter({ hasText: 'is not saved in Keydesk' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Credentials', level: 1 })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/browser-place-unknown-credential.png' });

  await open({ view: 'browse', cred, bucket: `${user.uid}-gone`, prefix: 'a/' });
  await expect(page.getByRole('status').filter({ hasText: `No bucket “${user.uid}-gone” is visible with “RGW browse”` })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Choose a bucket' })).toBeVisible();
  await expect.poll(() => fragment(page).get('bucket')).toBeNull();
  await page.screenshot({ path: 'test-results/screens/browser-place-unknown-bucket.png' });

  const unreadable: Record<string, string>[] = [{ view: 'settings' }, { view: 'browse', cred, bucket, prefix: 'no-slash' }, { view: 'browse', cred, bucket: 'a/b' }];
  for (const params of unreadable) {
    await open(params);
    await expect(page.getByRole('status').filter({ hasText: 'The address names a place Keydesk cannot read' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Credentials', level: 1 })).toBeVisible();
  }
  // The notice goes away with the next move.
  await nav(page, 'Accounts').click();
  await expect(page.getByRole('status').filter({ hasText: 'cannot read' })).toHaveCount(0);
});
