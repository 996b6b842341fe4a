import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRgwUser } from '../helpers/rgw-users';
import type { RgwInfo } from '../servers/rgw';
import { expectNoSeriousA11yViolations } from './a11y';
import { addCredential, openBucket, row, s3For, typePath } from './browse-helpers';
import { expect, SCREEN_SIZES, snapSizes, test } from './fixtures';

let local: string;
let s3: S3Client | undefined;
test.beforeEach(async () => {
  local = await mkdtemp(join(tmpdir(), 'keydesk-filemanager-'));
});
test.afterEach(async () => {
  s3?.destroy();
  s3 = undefined;
  await rm(local, { recursive: true, force: true });
});

const LONG_A = 'quarterly-revenue-report-final-reviewed-2024-01.csv';
const LONG_B = 'quarterly-revenue-report-final-reviewed-2024-02.csv';
/** S3 lists keys by bytes ("Uploads/" before "a folder/", "file10" before "file2"); the browser must not. */
const KEYS = ['Uploads/readme.txt', 'a folder/inside.txt', 'file10.txt', 'file2.txt', 'File1.txt', LONG_A, LONG_B, 'report.final.pdf', 'zeta.bin'];
const ORDER = ['a folder/', 'Uploads/', 'File1.txt', 'file2.txt', 'file10.txt', LONG_A, LONG_B, 'report.final.pdf', 'zeta.bin'];

async function seed(rgw: RgwInfo, prefix: string) {
  const user = await createRgwUser(rgw, prefix);
  const bucket = `${user.uid}-fm`;
  s3 = s3For(rgw, user);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const [i, key] of KEYS.entries()) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x'.repeat(100 * (i + 1)) }));
  return { user, bucket };
}

const grid = (page: import('@playwright/test').Page) => page.getByRole('grid', { name: 'Objects' });
/** The names of the rows as a screen reader gets them, in order. */
async function rowNames(page: import('@playwright/test').Page): Promise<string[]> {
  return grid(page).locator('[role="row"]:not(.head) .name .sr-only').allTextContents();
}
async function selectedNames(page: import('@playwright/test').Page): Promise<string[]> {
  return grid(page).locator('[role="row"][aria-selected="true"] .name .sr-only').allTextContents();
}

test('sort order, long names, checkboxes, Ctrl/Shift selection and the keyboard paths of a file manager', async ({ page, rgw, snap }) => {
  test.setTimeout(120_000);
  const { user, bucket } = await seed(rgw, 'fm');
  await page.setViewportSize({ width: 1280, height: 800 });
  await addCredential(page, rgw, user);
  await openBucket(page, bucket);
  await expect(row(page, 'zeta.bin')).toBeVisible();

  // Folders first, then natural order without regard to case.
  expect(await rowNames(page)).toEqual(ORDER);
  await expect(grid(page).getByRole('columnheader', { name: 'Modified' })).toBeVisible();
  // Long names keep their ends on screen and their full text for screen readers and on hover.
  for (const name of [LONG_A, LONG_B]) {
    await expect(row(page, name).locator('.name')).toHaveAttribute('title', name);
    await expect(row(page, name).locator('.name-tail')).toBeVisible();
  }
  await expect(row(page, LONG_A).locator('.name-tail')).toHaveText(/-01\.csv$/);
  await expect(row(page, LONG_B).locator('.name-tail')).toHaveText(/-02\.csv$/);
  await snapSizes(page, snap, 'file-manager-listing');
  await expectNoSeriousA11yViolations(page, 'object listing');

  // Keyboard: the first ArrowDown lands on row 0; End, Home, Space, Ctrl+A, Escape.
  await grid(page).focus();
  await page.keyboard.press('ArrowDown');
  expect(await selectedNames(page)).toEqual(['a folder/']);
  await page.keyboard.press('End');
  expect(await selectedNames(page)).toEqual(['zeta.bin']);
  await page.keyboard.press('Shift+ArrowUp');
  expect(await selectedNames(page)).toEqual(['report.final.pdf', 'zeta.bin']);
  await page.keyboard.press('Home');
  await page.keyboard.press('Control+ArrowDown');
  await page.keyboard.press('Control+ArrowDown');
  await page.keyboard.press('Space');
  expect(await selectedNames(page)).toEqual(['a folder/', 'File1.txt']);
  await page.keyboard.press('Control+a');
  expect(await selectedNames(page)).toEqual(ORDER);
  await expect(page.getByRole('status').filter({ hasText: 'selected' })).toContainText(`${ORDER.length} selected`);
  await page.keyboard.press('Escape');
  expect(await selectedNames(page)).toEqual([]);
  await page.keyboard.press('PageDown');
  expect(await selectedNames(page)).toEqual(['zeta.bin']);
  await page.keyboard.press('PageUp');
  expect(await selectedNames(page)).toEqual(['a folder/']);

  // Type-ahead: letters typed together find a name; the same letter again steps on.
  await page.keyboard.type('rep');
  expect(await selectedNames(page)).toEqual(['report.final.pdf']);
  await page.waitForTimeout(1100);
  await page.keyboard.press('f');
  await page.keyboard.press('f');
  expect(await selectedNames(page)).toEqual(['file2.txt']);

  // F2 renames with the base name chosen, not the extension.
  await page.waitForTimeout(1100);
  await page.keyboard.type('rep');
  await page.keyboard.press('F2');
  const rename = page.getByRole('dialog', { name: 'Rename or move file' });
  const field = rename.getByLabel('New path in the bucket');
  await expect(field).toHaveValue('report.final.pdf');
  expect(await field.evaluate((input: HTMLInputElement) => input.value.slice(input.selectionStart ?? 0, input.selectionEnd ?? 0))).toBe('report.final');
  await page.keyboard.type('summary');
  await expect(field).toHaveValue('summary.pdf');
  await snap('file-manager-rename');
  await expectNoSeriousA11yViolations(page, 'rename dialog');
  await rename.getByRole('button', { name: 'Rename' }).click();
  await expect(row(page, 'summary.pdf')).toBeVisible();
  expect((await s3!.send(new HeadObjectCommand({ Bucket: bucket, Key: 'summary.pdf' }))).ContentLength).toBe(800);

  // Enter opens a folder, Backspace and Alt+Up go back up.
  const crumbs = page.getByRole('navigation', { name: 'Folder path' });
  await grid(page).focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('Enter');
  await expect(crumbs.getByRole('button', { name: 'a folder' })).toHaveAttribute('aria-current', 'location');
  await expect(row(page, 'inside.txt')).toBeVisible();
  await grid(page).focus();
  await page.keyboard.press('Backspace');
  await expect(row(page, 'Uploads/')).toBeVisible();
  await grid(page).focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(row(page, 'readme.txt')).toBeVisible();
  await grid(page).focus();
  await page.keyboard.press('Alt+ArrowUp');
  await expect(row(page, 'Uploads/')).toBeVisible();

  // Enter on a file previews it.
  await grid(page).focus();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: /zeta\.bin/ })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toBeHidden();
  await grid(page).focus();
  await page.keyboard.press('Escape');

  // Checkboxes, Ctrl+click and Shift+click.
  await row(page, 'file2.txt').getByRole('checkbox', { name: 'Select file2.txt' }).check();
  await row(page, 'file10.txt').getByRole('checkbox', { name: 'Select file10.txt' }).check();
  expect(await selectedNames(page)).toEqual(['file2.txt', 'file10.txt']);
  await row(page, 'zeta.bin').click({ modifiers: ['Control'] });
  expect(await selectedNames(page)).toEqual(['file2.txt', 'file10.txt', 'zeta.bin']);
  await row(page, 'File1.txt').click();
  await row(page, 'file10.txt').click({ modifiers: ['Shift'] });
  expect(await selectedNames(page)).toEqual(['File1.txt', 'file2.txt', 'file10.txt']);
  await row(page, 'file2.txt').getByRole('checkbox').uncheck();
  expect(await selectedNames(page)).toEqual(['File1.txt', 'file10.txt']);
  await grid(page).getByRole('checkbox', { name: 'Select all' }).check();
  expect(await selectedNames(page)).toHaveLength(ORDER.length);
  await snap('file-manager-checkboxes');
  await grid(page).getByRole('checkbox', { name: 'Select all' }).uncheck();
  expect(await selectedNames(page)).toEqual([]);

  // Delete key: the usual confirmation, then the objects are gone and a notice says so.
  await row(page, 'file2.txt').click();
  await row(page, 'file10.txt').click({ modifiers: ['Control'] });
  await page.keyboard.press('Delete');
  const confirm = page.getByRole('dialog', { name: 'Delete 2 items?' });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(row(page, 'file2.txt')).toBeHidden();
  const done = page.getByRole('status').filter({ hasText: 'Deleted 2 objects.' });
  await expect(done).toBeVisible();
  await expect(s3!.send(new HeadObjectCommand({ Bucket: bucket, Key: 'file2.txt' }))).rejects.toThrow();

  // Notices belong to their folder and go by themselves; errors stay until dismissed.
  await row(page, 'Uploads/').dblclick();
  await expect(row(page, 'readme.txt')).toBeVisible();
  await expect(done).toBeHidden();
  await row(page, 'readme.txt').click();
  await page.getByRole('button', { name: 'Download' }).click();
  await typePath(page, '/proc', 'Download');
  const refused = page.getByRole('alert').filter({ hasText: /outside|not allowed|KEYDESK_WEB_PATHS/ });
  await expect(refused).toBeVisible();
  await crumbs.getByRole('button', { name: bucket }).click();
  await expect(refused).toBeHidden();
  await expect(done).toBeHidden({ timeout: 10_000 });
  await row(page, 'Uploads/').dblclick();
  await expect(refused).toBeVisible();
  await page.waitForTimeout(6500);
  await expect(refused).toBeVisible();
  await page.getByRole('button', { name: 'Dismiss error' }).click();
  await expect(refused).toBeHidden();
});

test('context menus by mouse and keyboard carry the toolbar actions for what is selected', async ({ page, rgw, snap }) => {
  test.setTimeout(120_000);
  const { user, bucket } = await seed(rgw, 'fmctx');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.setViewportSize({ width: 1280, height: 800 });
  await addCredential(page, rgw, user);
  await openBucket(page, bucket);

  // Right-click on a file: it becomes the selection, and the menu offers what applies to one file.
  await row(page, 'file2.txt').click({ button: 'right' });
  const menu = page.getByRole('menu', { name: 'Actions for file2.txt' });
  await expect(menu).toBeVisible();
  const items = ['Open preview', 'Download', 'Rename/Move', 'Delete', 'Share link', 'Copy S3 URI', 'Copy key', 'Properties…', 'Permissions…', 'Details'];
  await expect(menu.locator('[role^="menuitem"] .menu-label')).toHaveText(items);
  expect(await selectedNames(page)).toEqual(['file2.txt']);
  await expect(menu.getByRole('menuitem', { name: 'Open preview' })).toBeFocused();
  await expectNoSeriousA11yViolations(page, 'context menu');
  // A resized window closes the menu (it would float away from its row): opened again at each size.
  for (const size of SCREEN_SIZES) {
    await page.keyboard.press('Escape');
    await page.setViewportSize(size);
    await row(page, 'file2.txt').click({ button: 'right' });
    await expect(menu).toBeVisible();
    await snap(`file-manager-context-menu-${size.width}x${size.height}`);
  }
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 1280, height: 800 });
  await row(page, 'file2.txt').click({ button: 'right' });
  await expect(menu.getByRole('menuitem', { name: 'Open preview' })).toBeFocused();
  // Arrow keys move, wrapping; Escape closes and the listing has the focus again.
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem', { name: 'Download' })).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect(menu.getByRole('menuitemcheckbox', { name: 'Details' })).toBeFocused();
  await page.keyboard.press('Home');
  await expect(menu.getByRole('menuitem', { name: 'Open preview' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(grid(page)).toBeFocused();
  expect(await selectedNames(page)).toEqual(['file2.txt']);

  // Copy key from the menu: the clipboard holds the key.
  await row(page, 'file2.txt').click({ button: 'right' });
  await menu.getByRole('menuitem', { name: 'Copy key' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('file2.txt');

  // Keyboard: Shift+F10 and the Menu key open it at the focused row; a letter jumps to an item; Enter runs it.
  await grid(page).focus();
  await page.keyboard.press('End');
  await page.keyboard.press('Shift+F10');
  const zeta = page.getByRole('menu', { name: 'Actions for zeta.bin' });
  await expect(zeta).toBeVisible();
  await page.keyboard.press('r');
  await expect(zeta.getByRole('menuitem', { name: 'Rename/Move' })).toBeFocused();
  await page.keyboard.press('Enter');
  const rename = page.getByRole('dialog', { name: 'Rename or move file' });
  await expect(rename.getByLabel('New path in the bucket')).toHaveValue('zeta.bin');
  await rename.getByRole('button', { name: 'Cancel' }).click();
  await grid(page).focus();
  await page.keyboard.press('ContextMenu');
  await expect(zeta).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(zeta).toBeHidden();

  // Several rows: what applies to all of them; Delete asks first, then deletes them.
  await row(page, 'File1.txt').click();
  await row(page, 'file10.txt').click({ modifiers: ['Shift'] });
  await row(page, 'file10.txt').click({ button: 'right' });
  const several = page.getByRole('menu', { name: 'Actions for 3 items' });
  await expect(several.locator('[role^="menuitem"] .menu-label')).toHaveText(['Download', 'Rename/Move', 'Delete', 'Copy S3 URI', 'Copy key', 'Properties…', 'Details']);
  await expect(several.getByRole('menuitem', { name: 'Rename/Move' })).toHaveAttribute('aria-disabled', 'true');
  await several.getByRole('menuitem', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: 'Delete 3 items?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(row(page, 'file10.txt')).toBeHidden();
  // The listing is read again after a delete: wait for it.
  await expect.poll(() => rowNames(page)).toEqual(ORDER.filter((n) => !['File1.txt', 'file2.txt', 'file10.txt'].includes(n)));

  // A folder: Open and Calculate size; Open goes into it.
  await row(page, 'a folder/').click({ button: 'right' });
  const folderMenu = page.getByRole('menu', { name: 'Actions for a folder/' });
  await expect(folderMenu.getByRole('menuitem', { name: 'Calculate size' })).toBeVisible();
  await folderMenu.getByRole('menuitem', { name: 'Open' }).click();
  await expect(row(page, 'inside.txt')).toBeVisible();

  // Nothing selected (the empty folder's background): what applies to the folder.
  await row(page, 'inside.txt').click({ button: 'right' });
  await page.getByRole('menu').getByRole('menuitem', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: 'Delete 1 item?' }).getByRole('button', { name: 'Delete' }).click();
  const empty = page.getByRole('heading', { name: 'This folder is empty' });
  await expect(empty).toBeVisible();
  await empty.click({ button: 'right' });
  const folderActions = page.getByRole('menu', { name: 'Folder a folder/' });
  await expect(folderActions.locator('[role^="menuitem"] .menu-label')).toHaveText(['New folder', 'Upload files', 'Upload folder', 'Refresh', 'Select all', 'Calculate size of bucket']);
  await folderActions.getByRole('menuitem', { name: 'New folder' }).click();
  await expect(page.getByRole('dialog', { name: 'New folder' })).toBeVisible();
});

test('narrow windows: one toolbar row with More…, the listing keeps the height, Details as a drawer', async ({ page, rgw, snap }) => {
  test.setTimeout(120_000);
  const { user, bucket } = await seed(rgw, 'fmnarrow');
  for (const size of [
    { width: 900, height: 600, rows: 8 },
    { width: 640, height: 400, rows: 3 },
  ]) {
    await page.setViewportSize(size);
    if (size.width === 900) {
      await addCredential(page, rgw, user);
      await openBucket(page, bucket);
    }
    const name = `file-manager-${size.width}x${size.height}`;
    await expect(row(page, 'zeta.bin')).toBeAttached();
    // The bucket list made way for the listing; it comes back on demand.
    await expect(page.getByRole('complementary', { name: 'Bucket list' })).toBeHidden();
    // One row of object actions, and the listing keeps most of the window.
    const toolbar = page.getByRole('toolbar', { name: 'Object actions' });
    expect((await toolbar.boundingBox())!.height).toBeLessThan(44);
    // The grid holds the header row (34 px) and the rows (32 px each).
    expect((await grid(page).boundingBox())!.height).toBeGreaterThanOrEqual(34 + size.rows * 32);
    await snap(name);
    await expectNoSeriousA11yViolations(page, `listing at ${size.width} px`);

    // What does not fit is in More…, with arrow keys; Escape gives the focus back to the button.
    await toolbar.getByRole('button', { name: 'More…' }).click();
    const more = page.getByRole('menu', { name: 'More object actions' });
    await expect(more.getByRole('menuitem', { name: 'Share link' })).toBeVisible();
    // Its items act on the selection as the toolbar's buttons do: Preview needs one file selected.
    const preview = more.getByRole('menuitem', { name: 'Preview' });
    if (size.width === 900) await expect(preview).toHaveAttribute('aria-disabled', 'true');
    else await expect(preview).not.toHaveAttribute('aria-disabled', 'true');
    await snap(`${name}-more`);
    await page.keyboard.press('Escape');
    await expect(toolbar.getByRole('button', { name: 'More…' })).toBeFocused();

    // Details opens over the listing (a drawer) instead of squeezing it.
    await row(page, 'report.final.pdf').click();
    await toolbar.getByRole('button', { name: 'Details' }).click();
    const details = page.getByRole('complementary', { name: 'Details' });
    await expect(details).toContainText('report.final.pdf');
    expect((await grid(page).boundingBox())!.width).toBeGreaterThan((await details.boundingBox())!.width);
    await snap(`${name}-details`);
    await expectNoSeriousA11yViolations(page, `details at ${size.width} px`);
    await details.getByRole('button', { name: 'Close details' }).click();
  }
  // A wide window has room for the bucket list again; narrowed, the listing gets it back; the button shows it anyway.
  const bucketList = page.getByRole('complementary', { name: 'Bucket list' });
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(bucketList).toBeVisible();
  await page.setViewportSize({ width: 640, height: 400 });
  await expect(bucketList).toBeHidden();
  await page.getByRole('button', { name: 'Show bucket list' }).click();
  await expect(page.getByRole('complementary', { name: 'Bucket list' })).toBeVisible();
  await snap('file-manager-640x400-bucket-list');
});
