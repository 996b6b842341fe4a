import { providerSpec, requestViolations, SPECS_MISSING, startContractProxy, startPrism } from '../servers/prism';
import { expect, test } from './fixtures';

const spec = providerSpec('digitalocean-v2.yaml');

// DigitalOcean cannot run here: its published spec, served by Prism behind a proxy that fails on any request
// the spec refuses, stands in for it.
test.describe('DigitalOcean Spaces key limited to some buckets', () => {
  test.skip(!spec, SPECS_MISSING);
  test.setTimeout(120_000);

  test('the create dialog sends bucket grants the provider accepts', async ({ page, snap }) => {
    const prism = await startPrism(spec!);
    const proxy = await startContractProxy(prism.url);
    try {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
      await page.getByRole('button', { name: 'Add account' }).first().click();
      await page.getByRole('radio', { name: /DigitalOcean Spaces/ }).check();
      await page.getByLabel('Account name').fill('Spaces');
      await page.getByLabel('API token', { exact: true }).fill('dop_v1_example');
      await page.getByLabel('API URL').fill(proxy.url);
      await page.getByRole('button', { name: 'Verify and save' }).click();
      await expect(page.getByRole('heading', { name: 'Spaces' })).toBeVisible();

      await page.getByRole('button', { name: 'Create key' }).first().click();
      const dialog = page.getByRole('dialog', { name: 'Create key' });
      await dialog.getByLabel('Description').fill('photo sync');
      await dialog.getByLabel('Only these buckets').check();
      await dialog.getByLabel('Bucket 1', { exact: true }).fill('photos');
      await dialog.getByRole('button', { name: 'Add bucket' }).click();
      await dialog.getByLabel('Bucket 2', { exact: true }).fill('backups');
      await dialog.getByLabel('Permission for bucket 2').selectOption('readwrite');
      await dialog.getByLabel(/Save in keychain/).uncheck();
      await snap('create-key-bucket-grants');
      await dialog.getByRole('button', { name: 'Create key' }).click();
      await expect(page.getByRole('dialog', { name: 'Key created' })).toBeVisible();

      const create = proxy.calls.find((call) => call.method === 'POST' && call.path === '/v2/spaces/keys');
      expect(create?.body).toEqual({
        name: 'photo sync',
        grants: [
          { bucket: 'photos', permission: 'read' },
          { bucket: 'backups', permission: 'readwrite' },
        ],
      });
      expect(requestViolations(proxy.calls)).toEqual([]);
    } finally {
      await proxy.stop();
      await prism.stop();
    }
  });
});
