import type { Page } from '@playwright/test';
import { setCatalogEndpoint, createEc2Credential, createKeystoneUser, ec2Credentials, setPassword, type KeystoneUser } from '../helpers/keystone-users';
import { KEYSTONE_MISSING, keystoneInstalled, startKeystone, startTogether, type KeystoneInfo } from '../servers/keystone';
import { rgwFromEnv, type RgwInfo } from '../servers/rgw';
import { electronBinary, expect, test } from './fixtures';

/**
 * A cloud whose two regions each run their own Keystone (two started for this file: npm test's shared pair
 * carries what the integration suites left in it, and in full runs a catalog update there was refused): the
 * regions view, Create key per region, Reset key, and a reader's refusal. S3 itself is covered by
 * test/core/providers/openstack-regions.int.test.ts; here both regions point at the shared RGW.
 */

let keystoneA: KeystoneInfo;
let keystoneB: KeystoneInfo;
let stopKeystones: (() => Promise<void>) | undefined;

test.beforeAll(async ({}, testInfo) => {
  test.skip(!keystoneInstalled(), KEYSTONE_MISSING);
  // The electron project skips every test when its binary is missing: no servers for it then.
  if (testInfo.project.name === 'electron' && !electronBinary()) return;
  testInfo.setTimeout(600_000);
  const keystones = await startTogether([startKeystone(), startKeystone()]);
  [keystoneA, keystoneB] = keystones.map((keystone) => keystone.info);
  stopKeystones = async () => void (await Promise.all(keystones.map((keystone) => keystone.stop())));
  // Region B's S3 endpoint comes from its catalog (a Swift endpoint on the same host); region A's is entered.
  await setCatalogEndpoint(keystoneB, 'object-store', `${rgwFromEnv()!.endpoint}/swift/v1/AUTH_$(project_id)s`);
});
test.afterAll(async () => {
  await stopKeystones?.();
});

/** The same user and project in both regions, with the given role in each. */
async function regionalUser(roleB: 'member' | 'reader'): Promise<{ a: KeystoneUser; b: KeystoneUser }> {
  const a = await createKeystoneUser(keystoneA, 'e2e', { role: 'member' });
  const b = await createKeystoneUser(keystoneB, 'e2e', { role: roleB, like: a });
  return { a, b };
}

async function addRegionalAccount(page: Page, user: KeystoneUser, rgw: RgwInfo): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'Add account' }).first().click();
  await page.getByRole('radio', { name: /one Keystone per region/ }).check();
  await page.getByLabel('Account name').fill('Regional cloud');
  const regions = page.getByRole('group', { name: 'Regions' });
  await regions.getByLabel('Region 1').fill('region-a');
  await regions.getByLabel('Keystone URL 1').fill(keystoneA.url);
  await regions.getByLabel('S3 endpoint 1').fill(rgw.endpoint);
  await regions.getByRole('button', { name: 'Add region' }).click();
  await regions.getByLabel('Region 2').fill('region-b');
  await regions.getByLabel('Keystone URL 2').fill(keystoneB.url);
  await page.getByLabel('User name').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByLabel('Project name').fill(user.projectName);
}

async function snapBothSizes(page: Page, snap: (name: string) => Promise<void>, name: string): Promise<void> {
  for (const [width, height] of [[1280, 800], [900, 600]]) {
    await page.setViewportSize({ width, height });
    await snap(`${name}-${width}x${height}`);
  }
  await page.setViewportSize({ width: 1200, height: 760 });
}

test('regions view: a configured region and a "Not configured" one, Create key in a region, Reset key, no delete', async ({ page, rgw, snap }) => {
  const { a, b } = await regionalUser('member');
  // Region A already has a key (made with another tool); region B has none.
  const existing = await createEc2Credential(keystoneA, a);

  await addRegionalAccount(page, a, rgw);
  await snapBothSizes(page, snap, 'regions-add-account');
  await page.getByRole('button', { name: 'Verify and save' }).click();

  const regions = page.getByRole('table', { name: 'Regions' });
  const rowA = regions.getByRole('row').filter({ hasText: 'region-a' });
  const rowB = regions.getByRole('row').filter({ hasText: 'region-b' });
  await expect(rowA).toContainText(existing.access);
  await expect(rowA).toContainText('member');
  await expect(rowB).toContainText('Not configured');
  await expect(rowB).toContainText(rgw.endpoint);
  await expect(rowA.getByRole('button', { name: 'Reset key' })).toBeEnabled();
  await expect(page.getByRole('button', { name: /^Delete/ })).toHaveCount(0);
  await snapBothSizes(page, snap, 'regions-view');

  // Create key in region B: the dialog starts on that region.
  await rowB.getByRole('button', { name: 'Create key in region-b' }).click();
  const createDialog = page.getByRole('dialog', { name: 'Create key' });
  await expect(createDialog.getByLabel('Region')).toHaveValue('region-b');
  await createDialog.getByRole('button', { name: 'Create key' }).click();
  const created = page.getByRole('dialog', { name: 'Key created' });
  await expect(created.getByText('Saved in the keychain as "Regional cloud: region-b"')).toBeVisible();
  const newKey = (await created.getByTestId('new-access-key').textContent())!.trim();
  await created.getByRole('button', { name: 'Done' }).click();
  await expect(rowB).toContainText(newKey);
  await expect(rowB).toContainText('In keychain');
  expect((await ec2Credentials(keystoneB, b.userId)).map((c) => c.access)).toEqual([newKey]);
  await expect(regions.getByRole('button', { name: /^Create key/ })).toHaveCount(0);

  // Reset key in region A: typed confirmation, a new pair, the old one gone from Keystone at once.
  await rowA.getByRole('button', { name: 'Reset key' }).click();
  const confirm = page.getByRole('dialog', { name: `Reset key ${existing.access}?` });
  await expect(confirm).toContainText('The old key stops working at once');
  await expect(confirm.getByRole('button', { name: 'Reset key' })).toBeDisabled();
  await confirm.getByRole('textbox').fill(existing.access);
  await snapBothSizes(page, snap, 'regions-reset-confirm');
  await confirm.getByRole('button', { name: 'Reset key' }).click();
  const reset = page.getByRole('dialog', { name: 'New key' });
  const resetKey = (await reset.getByTestId('new-access-key').textContent())!.trim();
  expect(resetKey).not.toBe(existing.access);
  await reset.getByRole('button', { name: 'Done' }).click();
  await expect(rowA).toContainText(resetKey);
  expect((await ec2Credentials(keystoneA, a.userId)).map((c) => c.access)).toEqual([resetKey]);
});

test("a reader's region refuses key management up front, naming the role; a region that stops answering is shown on its own", async ({ page, rgw, snap }) => {
  const { a, b } = await regionalUser('reader');
  await addRegionalAccount(page, a, rgw);
  await page.getByRole('button', { name: 'Verify and save' }).click();

  const regions = page.getByRole('table', { name: 'Regions' });
  const rowB = regions.getByRole('row').filter({ hasText: 'region-b' });
  const refusal = `You have the reader role on project ${a.projectName} in region region-b; creating or resetting keys needs member or admin.`;
  await expect(rowB).toContainText('Not configured');
  await expect(rowB).toContainText(refusal);
  await expect(rowB.getByRole('button', { name: 'Create key in region-b' })).toBeDisabled();
  await expect(regions.getByRole('row').filter({ hasText: 'region-a' }).getByRole('button', { name: 'Create key in region-a' })).toBeEnabled();
  await snapBothSizes(page, snap, 'regions-reader');

  // Choosing the reader's region in the create dialog says why and keeps Create disabled.
  await page.getByRole('button', { name: 'Create S3 credentials' }).click();
  const createDialog = page.getByRole('dialog', { name: 'Create key' });
  await expect(createDialog.getByLabel('Region')).toHaveValue('region-a');
  await createDialog.getByLabel('Region').selectOption('region-b');
  await expect(createDialog.getByRole('status')).toHaveText(`You have the reader role on project ${a.projectName} in region region-b; creating or resetting keys needs member or admin.`);
  await expect(createDialog.getByRole('button', { name: 'Create key' })).toBeDisabled();
  await createDialog.getByRole('button', { name: 'Cancel' }).click();

  // The password changes in region B only: its tokens are revoked and signing in there fails.
  await setPassword(keystoneB, b.userId, 'changed-in-region-b');
  await page.getByRole('button', { name: '← Accounts' }).click();
  await page.getByRole('button', { name: 'Regional cloud', exact: true }).click();
  await expect(rowB).toContainText('Unavailable');
  await expect(rowB).toContainText(/Region region-b: Keystone refused the sign-in: .*— 401/);
  await expect(regions.getByRole('row').filter({ hasText: 'region-a' }).getByRole('button', { name: 'Create key in region-a' })).toBeEnabled();
  await snapBothSizes(page, snap, 'regions-unavailable');
});
