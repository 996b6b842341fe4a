import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { createS3Client } from '../../src-main/core/s3/client';
import { createRgwUser } from '../helpers/rgw-users';
import { openBucket, row, typePath } from './browse-helpers';
import { selfSignedCertificate, tlsFront } from '../helpers/tls-front';
import { expect, test } from './fixtures';

/*
 * "This server uses a certificate Keydesk doesn't trust": RGW over HTTPS with a private CA (it sends only
 * its own certificate, so the CA comes from its file), and an appliance with a self-signed certificate that
 * is pinned, then replaced. Screenshots at 1280×800 and 900×600.
 */

async function snapBoth(page: Page, snap: (name: string) => Promise<void>, name: string) {
  for (const [width, height] of [[1280, 800], [900, 600]]) {
    await page.setViewportSize({ width, height });
    await snap(`${name}-${width}`);
  }
  // Back to the wide window the steps below are written for (narrow, the bucket list folds away).
  await page.setViewportSize({ width: 1280, height: 800 });
}

const reportText = 'quarterly numbers\n';

/** Downloads report.txt from the open bucket into a fresh folder and checks its bytes. */
async function downloadReport(page: Page) {
  const folder = await mkdtemp(join(tmpdir(), 'keydesk-tls-download-'));
  try {
    await row(page, 'report.txt').click();
    await page.getByRole('button', { name: 'Download' }).click();
    await typePath(page, folder, 'Download');
    const transfers = page.getByRole('region', { name: 'Transfers' });
    await expect(transfers.getByRole('listitem', { name: `Download ${join(folder, 'report.txt')}` })).toContainText('Done');
    expect(await readFile(join(folder, 'report.txt'), 'utf8')).toBe(reportText);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function userWithBucket(rgw: Parameters<typeof createRgwUser>[0]) {
  const user = await createRgwUser(rgw, 'tls');
  const bucket = `${user.uid}-secure`;
  const s3 = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, ...user, forcePathStyle: true, checksums: 'when-required' });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'report.txt', Body: reportText }));
  s3.destroy();
  return { user, bucket };
}

async function fillCredentials(page: Page, endpoint: string, user: { accessKeyId: string; secretAccessKey: string }) {
  await page.getByRole('button', { name: 'Add credentials' }).first().click();
  await page.getByLabel('Label').fill('Secure RGW');
  await page.getByLabel('Endpoint').fill(endpoint);
  await page.getByLabel('Access key ID').fill(user.accessKeyId);
  await page.getByLabel('Secret access key').fill(user.secretAccessKey);
}

const prompt = (page: Page) => page.getByRole('alert', { name: 'Untrusted certificate' });

test('add a credential → untrusted certificate → trust the private CA from its file → Browse Buckets works', async ({ page, rgw, snap }) => {
  const { user, bucket } = await userWithBucket(rgw);
  const leaf = new X509Certificate(await readFile(join(rgw.cephDir, 'tls/server.pem')));

  await fillCredentials(page, rgw.tls.endpoint, user);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(prompt(page).getByRole('heading', { name: "This server uses a certificate Keydesk doesn't trust" })).toBeVisible();
  await expect(prompt(page)).toContainText('a certificate authority Keydesk doesn\'t trust');
  await expect(prompt(page)).toContainText(leaf.fingerprint256);
  await expect(prompt(page)).toContainText('IP:127.0.0.1, DNS:localhost');
  // No way around the check is offered; a pin is.
  await expect(prompt(page).getByRole('button', { name: /skip|ignore|anyway/i })).toHaveCount(0);
  await expect(prompt(page).getByRole('button', { name: 'Pin this certificate' })).toBeVisible();
  await snapBoth(page, snap, 'untrusted-certificate-add-credentials');

  // RGW sends only its own certificate: the CA comes from the file the administrator hands out.
  await prompt(page).getByLabel('Trust a CA certificate from a file…').setInputFiles(rgw.tls.caFile);
  await expect(page.getByRole('status')).toHaveText(/Connection works: 1 bucket visible/);
  await expect(page.getByRole('list', { name: 'Trusted certificates' })).toContainText('Trusted CA for 127.0.0.1');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('table', { name: 'Saved credentials' })).toContainText(user.accessKeyId);

  await page.getByRole('button', { name: 'Browse Buckets' }).click();
  await expect(page.getByRole('table', { name: 'Buckets' })).toContainText(bucket);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Credentials' }).click();
  await page.getByRole('button', { name: 'Settings of Secure RGW' }).click();
  const settings = page.getByRole('dialog');
  await expect(settings.getByRole('list', { name: 'Trusted certificates' })).toContainText('Trusted CA “Keydesk test CA');
  await settings.getByRole('button', { name: 'Check certificate' }).click();
  await expect(settings.getByRole('status')).toContainText('Trusted');
  await expect(settings).toContainText(leaf.fingerprint256);
  await snapBoth(page, snap, 'certificate-settings-trusted');
});

test('a self-signed appliance certificate is pinned; when it changes Keydesk refuses and shows the new one, and it can be pinned again', async ({ page, rgw, snap }) => {
  const { user, bucket } = await userWithBucket(rgw);
  const first = await selfSignedCertificate('ecs-appliance.local');
  const second = await selfSignedCertificate('ecs-appliance.local');
  const third = await selfSignedCertificate('ecs-appliance.local');
  const front = await tlsFront(rgw.endpoint, first);
  const sha = (pem: string) => new X509Certificate(pem).fingerprint256;
  try {
    await fillCredentials(page, front.endpoint, user);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(prompt(page)).toContainText('uses a self-signed certificate');
    await expect(prompt(page).getByRole('button', { name: 'Trust this certificate' })).toBeVisible();
    await snapBoth(page, snap, 'untrusted-certificate-self-signed');
    // Pinning from the prompt goes on with what was refused: the save.
    await prompt(page).getByRole('button', { name: 'Pin this certificate' }).click();
    await expect(page.getByRole('table', { name: 'Saved credentials' })).toContainText(user.accessKeyId);
    await page.getByRole('button', { name: 'Browse Buckets' }).click();
    await openBucket(page, bucket);
    // A transfer opens the client that later transfers reuse (with the trust it was made with).
    await downloadReport(page);

    // The appliance gets a new certificate: refused, and both fingerprints are shown.
    front.replaceCertificate(second);
    await page.getByRole('button', { name: 'Refresh buckets' }).click();
    await expect(prompt(page).getByRole('heading', { name: "This server's certificate changed" })).toBeVisible();
    await expect(prompt(page)).toContainText(sha(second.cert));
    await expect(prompt(page)).toContainText(sha(first.cert));
    await expect(page.getByRole('table', { name: 'Buckets' })).toHaveCount(0);
    await expect(page.getByText("Not connected: the server's certificate is not trusted.")).toBeVisible();
    await snapBoth(page, snap, 'certificate-changed-browse');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Credentials' }).click();
    await page.getByRole('button', { name: 'Settings of Secure RGW' }).click();
    const settings = page.getByRole('dialog');
    await settings.getByRole('button', { name: 'Check certificate' }).click();
    await expect(settings.getByRole('heading', { name: "This server's certificate changed" })).toBeVisible();
    await snapBoth(page, snap, 'certificate-settings-changed');
    await settings.getByRole('button', { name: 'Pin the new certificate' }).click();
    await expect(settings.getByRole('status')).toContainText('Trusted');
    await expect(settings.getByRole('list', { name: 'Trusted certificates' })).toContainText(sha(second.cert));
    await expect(settings.getByRole('list', { name: 'Trusted certificates' })).not.toContainText(sha(first.cert));
    await settings.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Browse Buckets' }).click();
    await expect(page.getByRole('table', { name: 'Buckets' })).toContainText(bucket);

    // Changed again: pinned again right where it was refused, and the next transfer uses the new pin.
    front.replaceCertificate(third);
    await page.getByRole('button', { name: 'Refresh buckets' }).click();
    await prompt(page).getByRole('button', { name: 'Pin the new certificate' }).click();
    await expect(page.getByRole('table', { name: 'Buckets' })).toContainText(bucket);
    await openBucket(page, bucket);
    await downloadReport(page);
  } finally {
    front.close();
  }
});

test('add an account whose admin endpoint has a private CA: trust it, and its keys work over HTTPS', async ({ page, rgw, snap }) => {
  const { user } = await userWithBucket(rgw);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'Add account' }).first().click();
  await page.getByRole('radio', { name: /Ceph RGW/ }).check();
  await page.getByLabel('Account name').fill('RGW over TLS');
  await page.getByLabel('Admin API endpoint').fill(rgw.tls.endpoint);
  await page.getByLabel('Admin access key').fill(rgw.admin.accessKeyId);
  await page.getByLabel('Admin secret key').fill(rgw.admin.secretAccessKey);
  await page.getByLabel('User ID').fill(user.uid);
  await page.getByRole('button', { name: 'Verify and save' }).click();
  await expect(prompt(page)).toContainText("This server uses a certificate Keydesk doesn't trust");
  await snapBoth(page, snap, 'untrusted-certificate-add-account');
  await prompt(page).getByLabel('Trust a CA certificate from a file…').setInputFiles(rgw.tls.caFile);
  await expect(page.getByRole('table', { name: 'Access keys' })).toContainText(user.accessKeyId);
});
