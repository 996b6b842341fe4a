import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRgwUser } from '../helpers/rgw-users';
import { addCredential, typePath } from './browse-helpers';
import { expect, test } from './fixtures';

let local: string;
test.beforeEach(async () => {
  local = await mkdtemp(join(tmpdir(), 'keydesk-grants-'));
});
test.afterEach(async () => {
  await rm(local, { recursive: true, force: true });
});

// The fixture starts browser mode with KEYDESK_WEB_PATHS set to the temp directory.
test('browser mode reads and writes only under the folders it was started with', async ({ page, rgw, keydeskMode, snap }) => {
  test.skip(keydeskMode !== 'browser', 'typed local paths are browser mode only; the desktop app uses native dialogs');
  const user = await createRgwUser(rgw, 'e2e');
  await addCredential(page, rgw, user);
  await page.getByRole('button', { name: 'New bucket' }).click();
  await page.getByLabel('Bucket name').fill(`${user.uid}-grants`);
  await page.getByRole('button', { name: 'Create bucket' }).click();
  await expect(page.getByRole('heading', { name: 'This folder is empty' })).toBeVisible();

  const refused = page.getByRole('alert').filter({ hasText: 'is outside the folders this browser-mode Keydesk may' });
  for (const path of ['/etc/hostname', join(local, '../../etc/hostname')]) {
    await page.getByRole('button', { name: 'Upload files' }).click();
    await typePath(page, path, 'Upload');
    await expect(refused).toContainText(`/etc/hostname is outside the folders this browser-mode Keydesk may upload from.`);
    await expect(refused).toContainText('KEYDESK_WEB_PATHS');
  }
  await snap('path-grants-refused');

  await writeFile(join(local, 'inside.txt'), 'inside');
  await page.getByRole('button', { name: 'Upload files' }).click();
  await typePath(page, join(local, 'inside.txt'), 'Upload');
  const transfers = page.getByRole('region', { name: 'Transfers' });
  await expect(transfers.getByRole('listitem', { name: 'Upload inside.txt' })).toContainText('Done');
  await expect(refused).toHaveCount(0);

  await page.getByRole('grid', { name: 'Objects' }).getByRole('gridcell', { name: 'inside.txt', exact: true }).click();
  await page.getByRole('button', { name: 'Download' }).click();
  await typePath(page, '/etc', 'Download');
  await expect(refused).toContainText('/etc is outside the folders this browser-mode Keydesk may download into.');
});
