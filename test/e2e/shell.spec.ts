import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from '@playwright/test';
import { SHORTCUTS } from '../../src-main/ipc/shortcuts';
import { createRgwUser } from '../helpers/rgw-users';
import { expectAccessibleInBothThemes } from './a11y';
import { addCredential, row, s3For } from './browse-helpers';
import { expect, test } from './fixtures';
import { addRgwAccount, keylessUserWithBucket } from './rgw-account';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const heading = (page: Page, name: string) => page.getByRole('heading', { name, level: 1 });
const focused = (page: Page) => page.evaluate(() => {
  const active = document.activeElement;
  return active ? `${active.tagName.toLowerCase()}:${active.getAttribute('aria-label') ?? active.textContent?.trim().slice(0, 40)}` : 'none';
});

/** Screenshots at the three widths the shell is made for, in the light and the dark theme; back at 1280×800, light. */
async function snapShell(page: Page, name: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const size of [{ width: 1280, height: 800 }, { width: 900, height: 600 }, { width: 640, height: 800 }]) {
      await page.setViewportSize(size);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: `test-results/screens/browser-${name}-${size.width}x${size.height}-${colorScheme}.png`, fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('keyboard: skip link, shortcuts sheet, G-key navigation, focus back to the opener or the heading', async ({ page, rgw }) => {
  const user = await createRgwUser(rgw, 'keys');
  await addCredential(page, rgw, user);
  await nav(page).getByRole('button', { name: 'Credentials' }).click();
  // A new screen puts focus on its heading.
  await expect(heading(page, 'Credentials')).toBeFocused();

  // The first Tab on a page reaches the skip link; it moves focus into the main content without touching the address.
  await page.reload();
  await expect(heading(page, 'Credentials')).toBeVisible();
  const address = page.url();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused();
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(heading(page, 'Credentials')).toBeFocused();
  expect(page.url()).toBe(address);

  // "?" lists every shortcut the page has (the menu's own only in the desktop app); Escape goes back.
  await page.keyboard.press('?');
  const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(sheet).toBeVisible();
  await expect(sheet.locator('dt')).toHaveCount(SHORTCUTS.filter((s) => !s.desktopOnly).length);
  for (const entry of SHORTCUTS.filter((s) => !s.desktopOnly)) await expect(sheet.getByText(entry.action, { exact: true })).toBeVisible();
  await expect(sheet.getByText('Add credentials', { exact: true })).toHaveCount(0);
  await expectAccessibleInBothThemes(page, 'Keyboard shortcuts');
  await page.screenshot({ path: 'test-results/screens/browser-shortcuts-sheet-1280x800.png' });
  await page.keyboard.press('Escape');
  await expect(sheet).toBeHidden();
  await expect(heading(page, 'Credentials')).toBeFocused();

  // G then A: Accounts, its heading focused; G then C: back.
  await page.keyboard.press('g');
  await page.keyboard.press('a');
  await expect(heading(page, 'Accounts')).toBeFocused();
  await page.keyboard.press('g');
  await page.keyboard.press('c');
  await expect(heading(page, 'Credentials')).toBeFocused();
  // Typing in a field is typing.
  await page.getByRole('button', { name: 'Add credentials' }).click();
  await page.getByLabel('Label').fill('g a ?');
  await expect(heading(page, 'Add credentials')).toBeVisible();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await page.getByRole('button', { name: 'Cancel' }).click();

  // Dialogs give focus back to the control that opened them.
  const credentialRow = page.getByRole('table', { name: 'Saved credentials' }).getByRole('row').nth(1);
  const settings = credentialRow.getByRole('button', { name: /^Settings of / });
  await settings.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: /^Settings of / })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(settings).toBeFocused();
  const sheetButton = nav(page).getByRole('button', { name: /Keyboard shortcuts/ });
  await sheetButton.click();
  await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).getByRole('button', { name: 'Done' }).click();
  await expect(sheetButton).toBeFocused();
  // A confirm that removes its opener's row: focus goes to the heading, not to <body>.
  await credentialRow.getByRole('button', { name: /^Remove / }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByRole('heading', { name: 'No credentials yet' })).toBeVisible();
  await expect(heading(page, 'Credentials')).toBeFocused();
  expect(await focused(page)).not.toBe('body:');
});

test('Use in… tabs follow the tabs pattern, and row buttons say which row they act on', async ({ page, rgw }) => {
  const user = await createRgwUser(rgw, 'tabs');
  await addCredential(page, rgw, user);
  await nav(page).getByRole('button', { name: 'Credentials' }).click();
  const credentialRow = page.getByRole('table', { name: 'Saved credentials' }).getByRole('row').nth(1);
  for (const name of ['Open', 'Use in…', 'Check now']) {
    await expect(credentialRow.getByRole('button', { name, exact: true })).toHaveAccessibleDescription('RGW browse');
  }
  await expect(credentialRow.getByRole('button', { name: 'Remove RGW browse' })).toBeVisible();

  await credentialRow.getByRole('button', { name: 'Use in…', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Use RGW browse in…' });
  const tab = (name: string) => dialog.getByRole('tab', { name });
  await tab('AWS CLI and SDKs').focus();
  await expect(dialog.getByRole('tab', { selected: true })).toHaveText('AWS CLI and SDKs');
  // Only the selected tab is in the Tab order.
  await expect(tab('rclone')).toHaveAttribute('tabindex', '-1');
  await page.keyboard.press('ArrowRight');
  await expect(tab('rclone')).toBeFocused();
  await expect(tab('rclone')).toHaveAttribute('aria-selected', 'true');
  await expect(dialog.getByRole('tabpanel')).toContainText('rclone.conf');
  await page.keyboard.press('End');
  await expect(tab('Environment variables')).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(tab('AWS CLI and SDKs')).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect(tab('Environment variables')).toBeFocused();
  await page.keyboard.press('Home');
  await expect(tab('AWS CLI and SDKs')).toHaveAttribute('aria-selected', 'true');
  await expectAccessibleInBothThemes(page, 'Use in…');
  await page.keyboard.press('Escape');
  await expect(credentialRow.getByRole('button', { name: 'Use in…', exact: true })).toBeFocused();
});

test('from 640 px up: the sidebar folds into a menu, stays in view, and tables become cards', async ({ page, rgw }) => {
  const user = await createRgwUser(rgw, 'narrow');
  await addCredential(page, rgw, user);
  await nav(page).getByRole('button', { name: 'Credentials' }).click();

  // Wide: the sidebar is there all the time, also with the content scrolled.
  await page.setViewportSize({ width: 1280, height: 400 });
  await page.evaluate(() => document.querySelector('main')!.insertAdjacentHTML('beforeend', '<div id="tall" style="height:2000px"></div>'));
  await page.mouse.wheel(0, 1500);
  await expect(nav(page).getByRole('button', { name: 'Accounts' })).toBeInViewport();
  await page.evaluate(() => document.getElementById('tall')?.remove());
  await expect(page.getByRole('button', { name: 'Menu' })).toBeHidden();

  // 900 px: the sidebar stays; the table, with too little room for its columns, turns into cards.
  await page.setViewportSize({ width: 900, height: 600 });
  await expect(page.getByRole('button', { name: 'Menu' })).toBeHidden();
  await expect(nav(page).getByRole('button', { name: 'Accounts' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Saved credentials' }).locator('td[data-label="Access key"]')).toHaveCSS('display', 'block');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(900);

  // Below 800 px the sidebar folds into a Menu button.
  for (const size of [{ width: 780, height: 600 }, { width: 640, height: 800 }]) {
    await page.setViewportSize(size);
    const menu = page.getByRole('button', { name: 'Menu' });
    await expect(menu).toHaveAttribute('aria-expanded', 'false');
    await expect(nav(page).getByRole('button', { name: 'Accounts' })).toBeHidden();
    // Nothing is wider than the window.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
    await menu.focus();
    await page.keyboard.press('Enter');
    await expect(menu).toHaveAttribute('aria-expanded', 'true');
    await page.keyboard.press('Tab');
    await expect(nav(page).getByRole('button', { name: 'Credentials' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(menu).toBeFocused();
    await expect(menu).toHaveAttribute('aria-expanded', 'false');
    await menu.click();
    await nav(page).getByRole('button', { name: 'Accounts' }).click();
    await expect(heading(page, 'Accounts')).toBeFocused();
    await expect(menu).toHaveAttribute('aria-expanded', 'false');
    await menu.click();
    await nav(page).getByRole('button', { name: 'Credentials' }).click();
  }
  // At 640 px the credentials table is a list of cards, each value under its column's name.
  const cells = page.getByRole('table', { name: 'Saved credentials' }).locator('td[data-label="Access key"]');
  await expect(cells).toHaveCSS('display', 'block');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(640);
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.screenshot({ path: 'test-results/screens/browser-menu-open-640x800.png' });
  await expectAccessibleInBothThemes(page, 'the folded menu, open');
});

test('dark mode follows the OS, and every shell screen passes axe in both themes', async ({ page, rgw }) => {
  test.setTimeout(180_000);
  const user = await createRgwUser(rgw, 'themes');
  const bucket = `${user.uid}-data`;
  const s3 = s3For(rgw, user);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'docs/readme.txt', Body: 'hello' }));
  s3.destroy();

  await expectAccessibleInBothThemes(page, 'Credentials (empty)');
  await snapShell(page, 'shell-first-run');
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe('rgb(15, 19, 26)');
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toBe('dark');
  await page.emulateMedia({ colorScheme: 'light' });
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe('rgb(246, 247, 249)');

  await addCredential(page, rgw, user);
  await page.getByRole('button', { name: bucket }).click();
  await row(page, 'docs/').dblclick();
  await expect(row(page, 'readme.txt')).toBeVisible();
  await snapShell(page, 'shell-browse');

  await nav(page).getByRole('button', { name: 'Credentials' }).click();
  await expect(page.getByRole('table', { name: 'Saved credentials' })).toBeVisible();
  await expectAccessibleInBothThemes(page, 'Credentials');
  await snapShell(page, 'shell-credentials');

  await nav(page).getByRole('button', { name: 'About Keydesk' }).click();
  await expect(page.getByRole('dialog', { name: 'About Keydesk' })).toContainText('Browser mode');
  await expectAccessibleInBothThemes(page, 'About');
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'Import…' }).click();
  await expect(heading(page, 'Import keys')).toBeVisible();
  await expectAccessibleInBothThemes(page, 'Import');

  await nav(page).getByRole('button', { name: 'Accounts' }).click();
  await expect(page.getByRole('heading', { name: 'No provider accounts yet' })).toBeVisible();
  await expectAccessibleInBothThemes(page, 'Accounts (empty)');
  const keyless = await keylessUserWithBucket(rgw, 'themes-keys');
  await addRgwAccount(page, rgw, keyless.uid, rgw.admin.secretAccessKey);
  await expectAccessibleInBothThemes(page, 'Add account (Ceph RGW)');
  await page.getByRole('button', { name: 'Verify and save' }).click();
  await expect(page.getByRole('heading', { name: 'No access keys yet' })).toBeVisible();
  await expectAccessibleInBothThemes(page, 'Keys (empty)');
  await page.getByRole('button', { name: 'Create S3 credentials' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Create key' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('table', { name: 'Access keys' })).toBeVisible();
  await expectAccessibleInBothThemes(page, 'Keys');
  await snapShell(page, 'shell-keys');
  await nav(page).getByRole('button', { name: 'Accounts' }).click();
  await expect(page.getByRole('table', { name: 'Provider accounts' })).toBeVisible();
  await expectAccessibleInBothThemes(page, 'Accounts');
  await snapShell(page, 'shell-accounts');

  // The key made above is saved with its account, so its row can be rotated: the dialog, in both themes.
  await nav(page).getByRole('button', { name: 'Credentials' }).click();
  const keyRow = page.getByRole('table', { name: 'Saved credentials' }).getByRole('row').filter({ hasText: 'RGW lab' });
  await keyRow.getByRole('button', { name: 'Rotate now', exact: true }).click();
  const rotate = page.getByRole('dialog', { name: /^Rotate / });
  await expect(rotate.getByRole('button', { name: 'Rotate', exact: true })).toBeVisible();
  await expectAccessibleInBothThemes(page, 'Rotate dialog');
  await snapShell(page, 'shell-rotate-dialog');
  await page.keyboard.press('Escape');
  await expect(rotate).toBeHidden();
  await expect(keyRow.getByRole('button', { name: 'Rotate now', exact: true })).toBeFocused();
});
