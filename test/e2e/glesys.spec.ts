import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { providerSpec, requestViolations, SPECS_MISSING, startContractProxy, startPrism } from '../servers/prism';
import type { RgwInfo } from '../servers/rgw';
import { expect, test } from './fixtures';
import { keylessUserWithBucket } from './rgw-account';

const run = promisify(execFile);
const spec = providerSpec('glesys-objectstorage.yaml');

// The key pair in the spec's createcredential example: given to an RGW user, so the key Keydesk gets from
// "GleSYS" opens real buckets.
const EXAMPLE_KEY = { accessKeyId: 'AOEUKEY123546', secretAccessKey: 'superlongsecretkey123123123', credentialId: '376af022-c81e-4a02-9f28-0dce6ba24399' };
const INITIAL_KEY = 'ABC123QWERTYAOEU987';

/** Gives `uid` the example key pair, taking it from whichever user held it in an earlier run on this RGW. */
async function adoptExampleKey(rgw: RgwInfo, uid: string): Promise<void> {
  const admin = (...args: string[]) => run('radosgw-admin', ['--conf', join(rgw.cephDir, 'ceph.conf'), ...args]);
  const holder = await admin('user', 'info', `--access-key=${EXAMPLE_KEY.accessKeyId}`).then(
    ({ stdout }) => (JSON.parse(stdout) as { user_id: string }).user_id,
    () => undefined,
  );
  if (holder) await admin('key', 'rm', `--uid=${holder}`, `--access-key=${EXAMPLE_KEY.accessKeyId}`);
  await admin('key', 'create', `--uid=${uid}`, '--key-type=s3', `--access-key=${EXAMPLE_KEY.accessKeyId}`, `--secret-key=${EXAMPLE_KEY.secretAccessKey}`);
}

interface Credential {
  id: string;
  accesskey: string;
}
interface Instance {
  id: string;
  credentials: Credential[];
}

/** A second instance, in Falkenberg, beside the spec's example one: keys are per instance. */
const MEDIA = {
  id: 'os-cd456',
  created: '2021-03-01T09:00:00+00:00',
  description: 'Media',
  datacenter: 'dc-fbg1',
  credentials: [{ id: '9c1d6a2e-0b7e-4d5a-8f0e-2a1b3c4d5e6f', accesskey: 'MEDIAKEY0000000001', description: 'initial key', created: '2021-03-01T09:00:00+00:00' }],
};

/**
 * Prism keeps no state. In front of the contract proxy (so every request is still checked against the
 * spec), this remembers the credentials made and revoked per instance and shows them in listinstances
 * answers as GleSYS would, with a second instance beside the spec's example.
 */
async function statefulGleSys(contractUrl: string) {
  const created = new Map<string, Credential[]>();
  const revoked = new Set<string>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type', 'accept']) if (typeof req.headers[name] === 'string') headers[name] = req.headers[name];
    const answer = await fetch(`${contractUrl}${req.url}`, { method: req.method, headers, body: body || undefined });
    let text = await answer.text();
    if (answer.ok && req.url === '/objectstorage/createcredential') {
      const { instanceid } = JSON.parse(body) as { instanceid: string };
      const credential = (JSON.parse(text) as { response: { credential: Credential & { secretkey?: string } } }).response.credential;
      const { secretkey: _shownOnce, ...listed } = credential;
      // Prism answers every create with the same example: one key per instance, not several.
      created.set(instanceid, [...(created.get(instanceid) ?? []).filter((c) => c.id !== listed.id), listed]);
    }
    if (answer.ok && req.url === '/objectstorage/deletecredential') revoked.add((JSON.parse(body) as { credentialid: string }).credentialid);
    if (answer.ok && req.url === '/objectstorage/listinstances') {
      const list = JSON.parse(text) as { response: { instances: Instance[] } };
      list.response.instances = [...list.response.instances, structuredClone(MEDIA)].map((instance) => ({
        ...instance,
        credentials: [...instance.credentials, ...(created.get(instance.id) ?? [])].filter((c) => !revoked.has(c.id)),
      }));
      text = JSON.stringify(list);
    }
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(text);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, stop: () => new Promise<void>((done) => server.close(() => done())) };
}

async function downloadText(page: Page, name: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
  return readFile(await download.path(), 'utf8');
}

/** The screen at the two window sizes people use most, for people to look at. */
async function snapBoth(page: Page, snap: (name: string) => Promise<void>, name: string): Promise<void> {
  for (const [width, height] of [
    [1280, 800],
    [900, 600],
  ]) {
    await page.setViewportSize({ width, height });
    await snap(`${name}-${width}x${height}`);
  }
}

// GleSYS cannot run here: its spec, served by Prism with --errors behind the recording proxy, stands in for
// the API; the S3 side is a real RGW holding the example key.
test.describe('GleSYS Object Storage', () => {
  test.skip(!spec, SPECS_MISSING);
  test.setTimeout(120_000);

  test('account → instance keys → create (secret once, saved) → browse → revoke', async ({ page, rgw, snap }) => {
    const { uid, bucket } = await keylessUserWithBucket(rgw, 'glesys');
    await adoptExampleKey(rgw, uid);
    const prism = await startPrism(spec!, { errors: true });
    const proxy = await startContractProxy(prism.url);
    const glesys = await statefulGleSys(proxy.url);
    try {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
      await page.getByRole('button', { name: 'Add account' }).first().click();
      await page.getByRole('radio', { name: /GleSYS Object Storage/ }).check();
      await page.getByLabel('Account name').fill('GleSYS');
      await page.getByLabel('Project ID').fill('CL12345');
      await page.getByLabel('API key', { exact: true }).fill('glesys-api-key');
      await page.getByLabel('API URL').fill(glesys.url);
      // Each data center's field starts with GleSYS's host; the test points them at RGW. The project has
      // instances in Stockholm and Falkenberg: with either endpoint emptied nothing is saved.
      await expect(page.getByLabel('S3 endpoint for dc-sto1 (Stockholm)')).toHaveValue('https://objects.dc-sto1.glesys.net');
      await expect(page.getByLabel('S3 endpoint for dc-fbg1 (Falkenberg)')).toHaveValue('https://objects.dc-fbg1.glesys.net');
      await page.getByLabel('S3 endpoint for dc-sto1 (Stockholm)').fill('');
      await page.getByLabel('S3 endpoint for dc-fbg1 (Falkenberg)').fill('');
      await page.getByRole('button', { name: 'Verify and save' }).click();
      await expect(page.getByRole('alert')).toContainText('enter the S3 endpoint for dc-sto1 (Stockholm), where the instance Backups is.');
      await page.getByLabel('S3 endpoint for dc-sto1 (Stockholm)').fill(rgw.endpoint);
      await page.getByRole('button', { name: 'Verify and save' }).click();
      await expect(page.getByRole('alert')).toContainText('enter the S3 endpoint for dc-fbg1 (Falkenberg), where the instance Media is.');
      await snapBoth(page, snap, 'glesys-add-account');
      await page.getByLabel('S3 endpoint for dc-fbg1 (Falkenberg)').fill(rgw.endpoint);
      await page.getByRole('button', { name: 'Verify and save' }).click();

      // The keys screen starts at the first instance, each named with its data center, and shows its keys.
      await expect(page.getByRole('heading', { name: 'GleSYS' })).toBeVisible();
      await expect(page.getByLabel('Instance')).toHaveValue('os-ab123');
      await expect(page.getByLabel('Instance').locator('option')).toHaveText(['Backups — dc-sto1 (os-ab123)', 'Media — dc-fbg1 (os-cd456)']);
      const table = page.getByRole('table', { name: 'Access keys' });
      await expect(table.getByRole('row').filter({ hasText: INITIAL_KEY })).toContainText('initial key');
      await expect(table.getByRole('row').filter({ hasText: INITIAL_KEY })).toContainText('dc-sto1');
      // What GleSYS cannot do is not offered.
      for (const absent of ['Show secret', 'Regenerate secret', 'Deactivate', 'Edit description', 'Save in keychain']) await expect(table.getByRole('button', { name: absent })).toHaveCount(0);

      await page.getByRole('button', { name: 'Create key' }).click();
      const createDialog = page.getByRole('dialog', { name: 'Create key' });
      await expect(createDialog.getByLabel('Instance')).toHaveValue('os-ab123');
      await expect(createDialog).toContainText('Stored with the key.');
      await createDialog.getByLabel('Description').fill('nightly backup job');
      await expect(createDialog.getByLabel(/Save in keychain/)).toBeChecked();
      await createDialog.getByRole('button', { name: 'Create key' }).click();

      const created = page.getByRole('dialog', { name: 'Key created' });
      await expect(created.getByTestId('new-access-key')).toHaveText(EXAMPLE_KEY.accessKeyId);
      await expect(created).toContainText('This secret will not be shown again.');
      await expect(created.getByText('Saved in the keychain as "GleSYS: nightly backup job"')).toBeVisible();
      const json = JSON.parse(await downloadText(page, 'Download key pair as JSON')) as Record<string, string>;
      expect(json).toMatchObject({ accessKeyId: EXAMPLE_KEY.accessKeyId, secretAccessKey: EXAMPLE_KEY.secretAccessKey, endpoint: rgw.endpoint });
      const csv = await downloadText(page, 'Download key pair as CSV');
      expect(csv.split('\r\n')[1]).toBe(`${EXAMPLE_KEY.accessKeyId},${EXAMPLE_KEY.secretAccessKey},${rgw.endpoint},us-east-1,nightly backup job`);
      await created.getByRole('button', { name: 'Reveal' }).click();
      await expect(created.locator('code.secret')).toHaveText(EXAMPLE_KEY.secretAccessKey);
      await created.getByRole('button', { name: 'Hide' }).click();
      await snapBoth(page, snap, 'glesys-key-created');
      await created.getByRole('button', { name: 'Done' }).click();

      // Shown once: the list holds the key, never its secret.
      const row = table.getByRole('row').filter({ hasText: EXAMPLE_KEY.accessKeyId });
      await expect(row).toContainText('In keychain');
      await expect(row).toContainText('nightly backup job');
      await expect(page.getByText(EXAMPLE_KEY.secretAccessKey)).toHaveCount(0);
      await snapBoth(page, snap, 'glesys-keys');

      // Browse Buckets opens the instance's saved credential, which works on S3.
      await page.getByRole('button', { name: 'Browse Buckets' }).click();
      await expect(page.getByLabel('Credential').locator('option:checked')).toHaveText('GleSYS: nightly backup job');
      await expect(page.getByRole('table', { name: 'Buckets' })).toContainText(bucket);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
      await page.getByRole('button', { name: 'GleSYS', exact: true }).click();

      // Another instance's keys are its own: no saved credential of Media, so nothing to browse with there.
      await page.getByLabel('Instance').selectOption('os-cd456');
      await expect(table.getByRole('row').filter({ hasText: MEDIA.credentials[0].accesskey })).toContainText('dc-fbg1');
      await expect(table.getByRole('row').filter({ hasText: EXAMPLE_KEY.accessKeyId })).toHaveCount(0);
      await expect(page.getByRole('button', { name: 'Browse Buckets' })).toBeDisabled();
      await snapBoth(page, snap, 'glesys-keys-other-instance');
      await page.getByLabel('Instance').selectOption('os-ab123');
      await expect(page.getByRole('button', { name: 'Browse Buckets' })).toBeEnabled();

      // Revoke, typed confirmation first.
      await row.getByRole('button', { name: 'Revoke' }).click();
      const confirm = page.getByRole('dialog', { name: `Revoke key ${EXAMPLE_KEY.accessKeyId}?` });
      const confirmButton = confirm.getByRole('button', { name: 'Revoke key' });
      await expect(confirmButton).toBeDisabled();
      await confirm.getByRole('textbox').fill(EXAMPLE_KEY.accessKeyId);
      await snapBoth(page, snap, 'glesys-revoke-confirm');
      await confirmButton.click();
      await expect(page.getByRole('status')).toContainText(`Revoked key ${EXAMPLE_KEY.accessKeyId}. Removed its saved credential from Keydesk: "GleSYS: nightly backup job".`);
      await expect(row).toHaveCount(0);
      await expect(table.getByRole('row').filter({ hasText: INITIAL_KEY })).toHaveCount(1);

      expect(proxy.calls.filter((c) => c.method === 'POST').map((c) => [c.path, c.status, c.body])).toEqual([
        ['/objectstorage/createcredential', 200, { instanceid: 'os-ab123', description: 'nightly backup job' }],
        ['/objectstorage/deletecredential', 200, { instanceid: 'os-ab123', credentialid: EXAMPLE_KEY.credentialId }],
      ]);
      expect(requestViolations(proxy.calls)).toEqual([]);
    } finally {
      await glesys.stop();
      await proxy.stop();
      await prism.stop();
    }
  });
});
