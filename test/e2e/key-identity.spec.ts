import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { createS3Client } from '../../src-main/core/s3/client';
import { createRgwUser, removeRgwKey, type RgwUser } from '../helpers/rgw-users';
import type { RgwInfo } from '../servers/rgw';
import { expect, snapSizes, testWithUserHome } from './fixtures';
import { addRgwAccount } from './rgw-account';

const test = testWithUserHome;

async function withBucket(rgw: RgwInfo, user: RgwUser, bucket: string): Promise<void> {
  const s3 = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, ...user, forcePathStyle: true, checksums: 'when-required' });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  s3.destroy();
}

async function addByHand(page: Page, label: string, endpoint: string, region: string, user: RgwUser): Promise<void> {
  await page.getByRole('button', { name: 'Add credentials' }).first().click();
  await page.getByLabel('Label').fill(label);
  await page.getByLabel('Endpoint').fill(endpoint);
  await page.getByLabel('Region').fill(region);
  await page.getByLabel('Access key ID').fill(user.accessKeyId);
  await page.getByLabel('Secret access key').fill(user.secretAccessKey);
}

const credentialsNav = (page: Page) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Credentials' });

test('a key saved twice is refused with a pointer to the first entry, and "Show it" goes there', async ({ page, rgw, snap }) => {
  const user = await createRgwUser(rgw, 'e2e-dup');
  const other = await createRgwUser(rgw, 'e2e-dup');
  await addByHand(page, 'Other key', rgw.endpoint, rgw.region, other);
  await page.getByRole('button', { name: 'Save' }).click();
  await addByHand(page, 'Lab by hand', rgw.endpoint, rgw.region, user);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('table', { name: 'Saved credentials' })).toContainText('Lab by hand');

  // Same key, endpoint spelled otherwise, another region.
  await addByHand(page, 'Same again', `${rgw.endpoint.replace('http://', 'HTTP://')}/`, 'eu-west-1', user);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByText('This key is already saved in Keydesk as “Lab by hand”.')).toBeVisible();
  await page.getByRole('button', { name: 'Save' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('This key is already saved in Keydesk as "Lab by hand".');
  await expect(alert).toContainText('Keydesk keeps one entry per key');
  await snapSizes(page, snap, 'duplicate-refused');

  await alert.getByRole('button', { name: 'Show it: Lab by hand' }).click();
  const table = page.getByRole('table', { name: 'Saved credentials' });
  await expect(table.locator('tr[aria-current="true"]')).toContainText('Lab by hand');
  await expect(table.locator('tr[aria-current="true"]')).toBeFocused();
  await expect(table.getByRole('row')).toHaveCount(3);
  await snapSizes(page, snap, 'duplicate-shown');
});

test('import tests each key: a revoked key is marked failing and not saved; the working one is', async ({ page, rgw, userHome, snap }) => {
  const [good, revoked] = await Promise.all([createRgwUser(rgw, 'e2e-imp'), createRgwUser(rgw, 'e2e-imp')]);
  await removeRgwKey(rgw, revoked.uid, revoked.accessKeyId);
  const profile = (name: string, key: RgwUser) => `[${name}]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`;
  await writeFile(join(userHome, '.aws', 'credentials'), [profile('working', good), profile('revoked', revoked)].join('\n'), { mode: 0o600 });
  await writeFile(
    join(userHome, '.aws', 'config'),
    ['working', 'revoked'].map((name) => `[profile ${name}]\nregion = ${rgw.region}\nendpoint_url = ${rgw.endpoint}\ns3 =\n  addressing_style = path\n`).join('\n'),
  );

  await page.getByRole('button', { name: 'Import…' }).click();
  const found = page.getByRole('table', { name: 'Found keys' });
  const rowOf = (name: string) => found.getByRole('row').filter({ hasText: name });
  await expect(rowOf('working')).toContainText('Works');
  await expect(rowOf('revoked')).toContainText('Fails: revoked or unknown key');
  await expect(rowOf('revoked')).toContainText('InvalidAccessKeyId');
  await expect(found.getByRole('checkbox', { name: 'Import working (AWS profile)' })).toBeChecked();
  await expect(found.getByRole('checkbox', { name: 'Save revoked (AWS profile) anyway' })).not.toBeChecked();
  await expect(page.getByRole('button', { name: 'Import 1 key' })).toBeEnabled();
  await snapSizes(page, snap, 'import-failing-key');

  await page.getByRole('button', { name: 'Import 1 key' }).click();
  const result = page.getByRole('region', { name: 'Import result' });
  await expect(result.getByRole('heading')).toHaveText('Imported 1 key');
  await expect(result).toContainText(`Saved “working (AWS profile)” ${good.accessKeyId} in the keychain.`);
  await expect(result).not.toContainText('revoked (AWS profile)”');
  await result.getByRole('button', { name: 'Done' }).click();
  const table = page.getByRole('table', { name: 'Saved credentials' });
  await expect(table.getByRole('row')).toHaveCount(2);
  // Health is known from the import's test.
  await expect(table.getByRole('row').filter({ hasText: 'working (AWS profile)' }).getByTestId('key-health')).toContainText('Verified just now');

  // Scanned again: the saved key is "already saved as …"; ticking the failing one saves it anyway.
  await page.getByRole('button', { name: 'Import…' }).click();
  await expect(rowOf('working')).toContainText('Already saved as “working (AWS profile)”');
  await expect(rowOf('revoked')).toContainText('Fails: revoked or unknown key');
  await found.getByRole('checkbox', { name: 'Save revoked (AWS profile) anyway' }).check();
  await page.getByRole('button', { name: 'Import 1 key' }).click();
  await expect(result.getByRole('heading')).toHaveText('Imported 1 key');
  await expect(result).toContainText(`Saved “revoked (AWS profile)” ${revoked.accessKeyId} in the keychain.`);
});

test('testing keys shows progress and can be cancelled; untested keys are tested when imported', async ({ page, rgw, userHome, snap }) => {
  // An endpoint that accepts connections and never answers: its checks wait until cancelled.
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
  const silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  try {
    const good = await createRgwUser(rgw, 'e2e-cancel');
    const stuck = ['one', 'two'].map((name, i) => ({ name, key: `STUCKKEY000000000${i}`.slice(0, 20) }));
    await writeFile(
      join(userHome, '.aws', 'credentials'),
      [`[good]\naws_access_key_id = ${good.accessKeyId}\naws_secret_access_key = ${good.secretAccessKey}\n`, ...stuck.map((s) => `[${s.name}]\naws_access_key_id = ${s.key}\naws_secret_access_key = secret-${s.name}\n`)].join('\n'),
      { mode: 0o600 },
    );
    await writeFile(
      join(userHome, '.aws', 'config'),
      [`[profile good]\nendpoint_url = ${rgw.endpoint}\n`, ...stuck.map((s) => `[profile ${s.name}]\nendpoint_url = ${silentUrl}\n`)].join('\n'),
    );
    await page.getByRole('button', { name: 'Import…' }).click();
    const progress = page.getByRole('status', { name: 'Testing 3 keys…' });
    await expect(progress).toContainText(/[0-3] of 3/);
    await expect(page.getByRole('button', { name: 'Testing…' })).toBeDisabled();
    await snapSizes(page, snap, 'import-testing');
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByText('Testing cancelled: keys not tested yet are tested when you import them.')).toBeVisible();
    const found = page.getByRole('table', { name: 'Found keys' });
    await expect(found.getByRole('row').filter({ hasText: 'one' })).toContainText('Ready');
    await expect(page.getByRole('button', { name: 'Import 3 keys' })).toBeEnabled();
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});

test('the health column shows a key failing after it is deleted at the provider, and working keys verified', async ({ page, rgw, snap }) => {
  const user = await createRgwUser(rgw, 'e2e-health');
  const other = await createRgwUser(rgw, 'e2e-health');
  for (const [label, key] of [['Healthy key', other], ['Doomed key', user]] as const) {
    await addByHand(page, label, rgw.endpoint, rgw.region, key);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('table', { name: 'Saved credentials' })).toContainText(label);
  }
  const table = page.getByRole('table', { name: 'Saved credentials' });
  const health = (label: string) => table.getByRole('row').filter({ hasText: label }).getByTestId('key-health');
  // A new save is checked right away (credentials:changed).
  await expect(health('Doomed key')).toContainText('Verified just now');
  await expect(health('Healthy key')).toContainText('Verified just now');

  await removeRgwKey(rgw, user.uid, user.accessKeyId);
  await table.getByRole('row').filter({ hasText: 'Doomed key' }).getByRole('button', { name: 'Check now' }).click();
  await expect(health('Doomed key')).toContainText('Failing since just now');
  await expect(health('Doomed key')).toContainText('revoked or unknown key');
  await expect(health('Doomed key')).toContainText('InvalidAccessKeyId');
  await expect(page.getByRole('status').filter({ hasText: '1 saved key fails its check' })).toBeVisible();
  await page.getByRole('button', { name: 'Check all now' }).click();
  await expect(page.getByRole('button', { name: 'Check all now' })).toBeEnabled();
  await expect(health('Healthy key')).toContainText('Verified just now');
  await expect(health('Doomed key')).toContainText('Failing since just now');
  await snapSizes(page, snap, 'credentials-health');
});

test('keys screen marks keys held in the keychain, and Browse Buckets on another user\'s page browses as that user', async ({ page, rgw, snap }) => {
  const admin = await createRgwUser(rgw, 'e2e-owner');
  const alice = await createRgwUser(rgw, 'e2e-alice');
  const bob = await createRgwUser(rgw, 'e2e-bob');
  await withBucket(rgw, admin, `${admin.uid}-own`);
  await withBucket(rgw, alice, `${alice.uid}-data`);
  await withBucket(rgw, bob, `${bob.uid}-data`);

  // Alice's key was pasted under Credentials by hand before the account existed.
  await addByHand(page, 'Alice by hand', rgw.endpoint, rgw.region, alice);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('table', { name: 'Saved credentials' })).toContainText('Alice by hand');

  await addRgwAccount(page, rgw, admin.uid, rgw.admin.secretAccessKey);
  await page.getByRole('button', { name: 'Verify and save' }).click();
  await expect(page.getByRole('heading', { name: 'RGW lab' })).toBeVisible();
  const keys = page.getByRole('table', { name: 'Access keys' });
  const row = (accessKeyId: string) => keys.getByRole('row').filter({ hasText: accessKeyId });
  // The signed-in user's key: saved from its row.
  await row(admin.accessKeyId).getByRole('button', { name: 'Save in keychain' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Saved ${admin.accessKeyId} in the keychain as "RGW lab: ${admin.uid}"` })).toBeVisible();
  await expect(row(admin.accessKeyId)).toContainText('In keychain');

  // Alice's page: her key pasted by hand is recognised, and "Save in keychain" is not offered again.
  await page.getByLabel('User').selectOption(alice.uid);
  await expect(row(alice.accessKeyId)).toContainText('In keychain');
  await expect(row(alice.accessKeyId).getByRole('button', { name: 'Save in keychain' })).toHaveCount(0);
  await expect(row(alice.accessKeyId).locator('.tag')).toHaveAttribute('title', 'Saved in Keydesk as “Alice by hand”');
  await snapSizes(page, snap, 'keys-in-keychain');
  await page.getByRole('button', { name: 'Browse Buckets', exact: true }).click();
  await expect(page.getByLabel('Credential')).toHaveValue(await credentialId(page, 'Alice by hand'));
  await expect(page.getByRole('table', { name: 'Buckets' })).toContainText(`${alice.uid}-data`);
  await expect(page.getByRole('table', { name: 'Buckets' })).not.toContainText(`${admin.uid}-own`);

  // Bob's page: none of his keys is saved, so Browse Buckets offers to save one first, then browses as Bob.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'RGW lab', exact: true }).click();
  await page.getByLabel('User').selectOption(bob.uid);
  await expect(row(bob.accessKeyId)).not.toContainText('In keychain');
  await page.getByRole('button', { name: 'Browse Buckets' }).click();
  const offer = page.getByRole('dialog', { name: 'Save a key in the keychain first?' });
  await expect(offer).toContainText(bob.accessKeyId);
  await snapSizes(page, snap, 'keys-save-to-browse');
  await offer.getByRole('button', { name: 'Save and browse' }).click();
  await expect(page.getByRole('table', { name: 'Buckets' })).toContainText(`${bob.uid}-data`);
  await expect(page.getByRole('table', { name: 'Buckets' })).not.toContainText(`${admin.uid}-own`);
  await expect(page.getByLabel('Credential').locator('option:checked')).toHaveText(`RGW lab: ${bob.uid}`);

  await credentialsNav(page).click();
  await expect(page.getByRole('table', { name: 'Saved credentials' }).getByRole('row')).toHaveCount(4);

  // Back on Bob's page his key is marked, and its row's Browse uses that very credential.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'RGW lab', exact: true }).click();
  await page.getByLabel('User').selectOption(bob.uid);
  await expect(row(bob.accessKeyId)).toContainText('In keychain');
  await row(bob.accessKeyId).getByRole('button', { name: `Browse with ${bob.accessKeyId}` }).click();
  await expect(page.getByRole('table', { name: 'Buckets' })).toContainText(`${bob.uid}-data`);
});

async function credentialId(page: Page, label: string): Promise<string> {
  return (await page.getByLabel('Credential').locator('option', { hasText: label }).getAttribute('value'))!;
}
