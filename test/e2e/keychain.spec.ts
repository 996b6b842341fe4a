import { createRgwUser } from '../helpers/rgw-users';
import { expect, filesContaining, test } from './fixtures';

test.describe('without a usable keychain', () => {
  test.use({ appEnv: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/keydesk-no-keychain' } });

  test('says so up front, refuses to save, and writes no secret anywhere', async ({ page, rgw, home, snap }) => {
    const user = await createRgwUser(rgw, 'e2e');
    await expect(page.getByRole('alert').filter({ hasText: 'Keychain unavailable' })).toContainText('never stores secrets in plain text');

    await page.getByRole('button', { name: 'Add credentials' }).first().click();
    await page.getByLabel('Endpoint').fill(rgw.endpoint);
    await page.getByLabel('Access key ID').fill(user.accessKeyId);
    await page.getByLabel('Secret access key').fill(user.secretAccessKey);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('form').getByRole('alert')).toContainText('Could not save the secret to the OS keychain');
    await snap('keychain-unavailable');

    expect(await filesContaining(home, user.secretAccessKey)).toEqual([]);
    // Nothing was saved at all, not even the key's metadata.
    expect(await filesContaining(home, user.accessKeyId)).toEqual([]);
  });
});
