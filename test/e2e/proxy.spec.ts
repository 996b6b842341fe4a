import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { createRgwUser, type RgwUser } from '../helpers/rgw-users';
import { startTinyproxy, type Tinyproxy, type TinyproxyOptions } from '../servers/tinyproxy';
import { openBucket, row, s3For, typePath } from './browse-helpers';
import { expect, test as base } from './fixtures';

/*
 * Keydesk behind a real HTTP proxy (tinyproxy), set as a user sets it: HTTPS_PROXY/HTTP_PROXY in Keydesk's
 * environment. A proxy that refuses, one that wants a password, and one that lets everything through; what
 * the person sees, and the proxy's own log for what went through it.
 */

const PASSWORD = 'pr0xy-pass.word';

const test = base.extend<{ proxyOptions: TinyproxyOptions; proxyPassword: string | undefined; tinyproxy: Tinyproxy }>({
  proxyOptions: [{}, { option: true }],
  /** The password put in the proxy URL (user alice); none when undefined. */
  proxyPassword: [undefined, { option: true }],
  // Not `proxy`: Playwright's own option of that name would apply it to the browser page.
  tinyproxy: async ({ proxyOptions }, use) => {
    const proxy = await startTinyproxy(proxyOptions);
    await use(proxy);
    await proxy.stop();
  },
  appEnv: async ({ tinyproxy: proxy, proxyPassword }, use) => {
    const url = proxyPassword === undefined ? proxy.url : `http://alice:${encodeURIComponent(proxyPassword)}@127.0.0.1:${proxy.port}`;
    await use({ HTTPS_PROXY: url, HTTP_PROXY: url });
  },
});

async function fillCredentials(page: Page, endpoint: string, user: RgwUser) {
  await page.getByRole('button', { name: 'Add credentials' }).first().click();
  await page.getByLabel('Label').fill('Behind the proxy');
  await page.getByLabel('Endpoint').fill(endpoint);
  await page.getByLabel('Access key ID').fill(user.accessKeyId);
  await page.getByLabel('Secret access key').fill(user.secretAccessKey);
}

async function snapBoth(page: Page, snap: (name: string) => Promise<void>, name: string) {
  for (const [width, height] of [[1280, 800], [900, 600]]) {
    await page.setViewportSize({ width, height });
    await snap(`${name}-${width}`);
  }
}

const authority = (endpoint: string) => new URL(endpoint).host;

test.describe('a proxy that refuses', () => {
  test.use({ proxyOptions: { allow: '10.9.9.9' } });

  test('Test connection and Save name the proxy and what it refused, and nothing is saved', async ({ page, rgw, tinyproxy: proxy, snap }) => {
    const user = await createRgwUser(rgw, 'proxy');
    await fillCredentials(page, rgw.endpoint, user);
    await page.getByRole('button', { name: 'Test connection' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText(`The proxy ${proxy.url} refused to connect to ${authority(rgw.endpoint)} (HTTP 403 Access denied).`);
    await expect(alert).toContainText(`Ask your network administrator to allow ${authority(rgw.endpoint)} through the proxy, or add 127.0.0.1 to NO_PROXY`);
    // The proxy refused, not the S3 server: nothing says the key or the endpoint is wrong.
    await expect(alert).not.toContainText(/access key|signature|S3/i);
    await snapBoth(page, snap, 'proxy-refused-add-credentials');

    await page.getByRole('button', { name: 'Save' }).click();
    await expect(alert).toContainText(`The proxy ${proxy.url} refused to connect`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Credentials' }).click();
    await expect(page.getByText(user.accessKeyId)).toHaveCount(0);
  });
});

test.describe('a proxy that wants a password', () => {
  test.use({ proxyOptions: { auth: { user: 'alice', password: PASSWORD } } });

  test('without one, Keydesk says the proxy needs a user name and password and where to put them', async ({ page, rgw, tinyproxy: proxy }) => {
    const user = await createRgwUser(rgw, 'proxy');
    await fillCredentials(page, rgw.endpoint, user);
    await page.getByRole('button', { name: 'Test connection' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText(`The proxy ${proxy.url} requires proxy authentication: a user name and password`);
    await expect(alert).toContainText(`Put them in the proxy setting (HTTP_PROXY), e.g. http://user:password@127.0.0.1:${proxy.port}`);
  });

  test.describe('with a wrong password', () => {
    test.use({ proxyPassword: 'not-the-password' });

    test('Keydesk says the proxy did not accept it, and never shows it', async ({ page, rgw, tinyproxy: proxy }) => {
      const user = await createRgwUser(rgw, 'proxy');
      await fillCredentials(page, rgw.endpoint, user);
      await page.getByRole('button', { name: 'Test connection' }).click();
      await expect(page.getByRole('alert')).toContainText(`The proxy ${proxy.url} did not accept the user name and password in HTTP_PROXY`);
      await expect(page.locator('body')).not.toContainText('not-the-password');
    });
  });

  test.describe('with the right password', () => {
    test.use({ proxyPassword: PASSWORD });

    test('save, Browse Buckets over HTTPS with the private CA, and a download: every connection tunnels through the proxy', async ({ page, rgw, tinyproxy: proxy }) => {
      const user = await createRgwUser(rgw, 'proxy');
      const bucket = `${user.uid}-proxied`;
      const s3 = s3For(rgw, user);
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'through.txt', Body: 'through the proxy\n' }));
      s3.destroy();

      // TLS runs inside the tunnel: the certificate prompt comes from RGW's own certificate.
      await fillCredentials(page, rgw.tls.endpoint, user);
      await page.getByRole('button', { name: 'Test connection' }).click();
      await page.getByRole('alert', { name: 'Untrusted certificate' }).getByLabel('Trust a CA certificate from a file…').setInputFiles(rgw.tls.caFile);
      await expect(page.getByRole('status')).toHaveText(/Connection works/);
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('button', { name: 'Browse Buckets' }).click();
      await openBucket(page, bucket);

      const folder = await mkdtemp(join(tmpdir(), 'keydesk-proxy-download-'));
      try {
        await row(page, 'through.txt').click();
        await page.getByRole('button', { name: 'Download' }).click();
        await typePath(page, folder, 'Download');
        await expect(page.getByRole('region', { name: 'Transfers' }).getByRole('listitem', { name: `Download ${join(folder, 'through.txt')}` })).toContainText('Done');
        expect(await readFile(join(folder, 'through.txt'), 'utf8')).toBe('through the proxy\n');
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
      // Every connection Keydesk opened went to RGW's HTTPS port through the proxy.
      const connects = await proxy.connects();
      expect(connects.length).toBeGreaterThan(1);
      expect(new Set(connects)).toEqual(new Set([authority(rgw.tls.endpoint)]));
      await expect(page.locator('body')).not.toContainText(PASSWORD);
    });
  });
});
