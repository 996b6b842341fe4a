import type { Locator, Page } from '@playwright/test';
import { expectAccessibleInBothThemes } from './a11y';
import { expect, snapSizes, test } from './fixtures';

async function chooseProvider(page: Page, name: RegExp): Promise<Locator> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'Add account' }).first().click();
  await page.getByRole('radio', { name }).check();
  return page.getByRole('form');
}

/** The label text of each field the form shows now, "(optional)" and the like included. */
async function labels(form: Locator): Promise<string[]> {
  return (await form.locator('.field > label').allInnerTexts()).map((text) => text.trim());
}

test('OpenStack shows the fields of the chosen sign-in method, each required or optional as that method needs', async ({ page, snap }) => {
  const form = await chooseProvider(page, /^OpenStack \(Keystone EC2/);
  expect(await labels(form)).toEqual([
    'Account name (optional)',
    'Auth URL',
    'Sign in with',
    'User name',
    'User domain',
    'Password',
    'Project name (optional)',
    'Project domain (optional)',
    'One set of S3 credentials per project',
    'S3 endpoint',
    'S3 region (optional)',
    'Roles that can use S3 (optional)',
  ]);
  await form.getByRole('button', { name: 'Verify and save' }).click();
  await expect(form.getByLabel('Auth URL')).toBeFocused();
  await expect(form.getByText('Still needed: the auth URL, the user name, the password and the S3 endpoint.')).toBeVisible();
  await expect(form.getByLabel('User name')).toHaveAccessibleDescription('Enter the user name.');
  await snapSizes(page, snap, 'add-account-openstack-password');

  await form.getByLabel('Sign in with').selectOption({ label: 'Application credential' });
  expect(await labels(form)).toEqual([
    'Account name (optional)',
    'Auth URL',
    'Sign in with',
    'Application credential ID',
    'Application credential secret',
    'One set of S3 credentials per project',
    'S3 endpoint',
    'S3 region (optional)',
    'Roles that can use S3 (optional)',
  ]);
  await expect(form.getByText('Still needed: the auth URL, the application credential ID, the application credential secret and the S3 endpoint.')).toBeVisible();
  // A URL field is read like an endpoint: a scheme is added, a wrong one named.
  await form.getByLabel('Auth URL').fill('ftp://keystone.example.com');
  await expect(form.getByText('The endpoint must start with https:// or http://, not ftp://.')).toBeVisible();
  await snapSizes(page, snap, 'add-account-openstack-app-credential');
  await expectAccessibleInBothThemes(page, 'Add account (OpenStack)');
});

test('IONOS asks for a token and a user ID, or a user name and password; GleSYS says when its endpoints are needed', async ({ page, snap }) => {
  let form = await chooseProvider(page, /IONOS Cloud/);
  expect(await labels(form)).toEqual(expect.arrayContaining(['Sign in with', 'Token', 'User ID']));
  expect(await labels(form)).not.toContain('Password');
  await form.getByLabel('Sign in with').selectOption({ label: 'User name and password' });
  expect(await labels(form)).toEqual(expect.arrayContaining(['User name (e-mail)', 'Password', 'User ID (optional)']));
  expect(await labels(form)).not.toContain('Token');
  await snap('add-account-ionos-password');

  form = await chooseProvider(page, /GleSYS/);
  expect(await labels(form)).toEqual(
    expect.arrayContaining([
      'S3 endpoint for dc-sto1 (Stockholm) (required if the project has an instance in Stockholm)',
      'S3 endpoint for dc-fbg1 (Falkenberg) (required if the project has an instance in Falkenberg)',
    ]),
  );
  await snapSizes(page, snap, 'add-account-glesys');
});
