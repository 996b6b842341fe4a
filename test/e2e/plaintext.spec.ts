import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MOVED_NOTE } from '../../src-main/core/ecosystem/importer';
import { BACKUP_PLACEHOLDER } from '../../src-main/core/plaintext/fixes';
import { createS3Client } from '../../src-main/core/s3/client';
import { createRgwUser } from '../helpers/rgw-users';
import { addCredential, typePath } from './browse-helpers';
import type { Page } from '@playwright/test';
import { expect, filesContaining, snapSizes, testWithUserHome } from './fixtures';

const run = promisify(execFile);
const test = testWithUserHome;

/**
 * axe-core's findings for the app's main area. AxeBuilder needs a page of its own context, which the
 * shared fixture does not make, so axe is evaluated directly (through the DevTools protocol, which the
 * page's CSP does not govern).
 */
async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  const violations = await page.evaluate(async () => (await (window as unknown as { axe: { run(context: string): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe.run('main')).violations);
  return violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('finds keys in plain text from the Import view, imports one, replaces its AWS profile with credential_process and removes a .env copy', async ({ page, rgw, home, userHome, snap }) => {
  const user = await createRgwUser(rgw, 'plain');
  const bucket = `${user.uid}-data`;
  const s3 = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, ...user, forcePathStyle: true, checksums: 'when-required' });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  s3.destroy();

  const credentialsFile = join(userHome, '.aws', 'credentials');
  const configFile = join(userHome, '.aws', 'config');
  const envFile = join(userHome, 'projects', 'site', '.env');
  const history = join(userHome, '.bash_history');
  await writeFile(credentialsFile, ['# work', '[rgw]', `aws_access_key_id = ${user.accessKeyId}`, `aws_secret_access_key = ${user.secretAccessKey}`, ''].join('\n'), { mode: 0o600 });
  await writeFile(configFile, ['[profile rgw]', `region = ${rgw.region}`, `endpoint_url = ${rgw.endpoint}`, 's3 =', '  addressing_style = path', ''].join('\n'));
  await mkdir(join(userHome, 'projects', 'site'), { recursive: true });
  await writeFile(envFile, ['NODE_ENV=production', `AWS_ACCESS_KEY_ID=${user.accessKeyId}`, `AWS_SECRET_ACCESS_KEY=${user.secretAccessKey}`, `AWS_ENDPOINT_URL=${rgw.endpoint}`, 'PORT=3000', ''].join('\n'), { mode: 0o640 });
  await writeFile(history, ['ls', `export AWS_SECRET_ACCESS_KEY=${user.secretAccessKey}`, 'aws s3 ls', ''].join('\n'), { mode: 0o600 });

  await page.getByRole('button', { name: 'Import…' }).click();
  await expect(page.getByRole('table', { name: 'Found keys' })).toContainText('Works');
  await snapSizes(page, snap, 'import-plaintext-link');
  await page.getByRole('button', { name: 'Find keys stored in plain text…' }).click();
  await expect(page.getByRole('heading', { name: 'Find keys stored in plain text' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Found 3 plain-text copies in 3 files' })).toBeVisible();

  const copy = (file: string) => page.getByRole('list', { name: `Copies in ${file}` }).getByRole('listitem');
  await expect(copy(credentialsFile)).toContainText('[rgw] lines 3, 4');
  await expect(copy(credentialsFile)).toContainText('Access key ID and secret');
  await expect(copy(credentialsFile).getByLabel('Masked excerpt')).toHaveText(`aws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ••••••••`);
  await expect(copy(envFile)).toContainText('lines 2, 3');
  await expect(copy(history)).toContainText('Secret key');
  expect(await page.locator('body').innerText()).not.toContain(user.secretAccessKey);
  // Not in Keydesk yet: credential_process needs the key in the keychain first.
  await expect(copy(credentialsFile)).toContainText('Replace with credential_process: Keydesk does not hold this key yet: import it first');
  await snapSizes(page, snap, 'plaintext-found');
  expect(await accessibilityViolations(page)).toEqual([]);

  // Importing tests the key against RGW first, then saves it; every copy of it is then Keydesk's.
  await copy(credentialsFile).getByRole('button', { name: 'Import this key…' }).click();
  await expect(copy(credentialsFile)).toContainText('Saved in the keychain as “rgw (AWS profile)”.');
  await expect(copy(credentialsFile)).toContainText('Keydesk holds this key as “rgw (AWS profile)”.');
  await expect(copy(envFile)).toContainText('Keydesk holds this key as “rgw (AWS profile)”.');
  await expect(copy(credentialsFile).getByLabel(/^What to do with/)).toHaveValue('credential-process');

  await copy(credentialsFile).getByRole('checkbox').check();
  await copy(envFile).getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Change 2 copies…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Change 2 files?' });
  await expect(confirm).toContainText(credentialsFile);
  await expect(confirm).toContainText('credential_process = ');
  await expect(confirm).toContainText(`Removes lines 2–3, leaving a comment in their place.`);
  await expect(confirm).toContainText('[secret removed by Keydesk]');
  await snapSizes(page, snap, 'plaintext-confirm');
  expect(await accessibilityViolations(page)).toEqual([]);
  await confirm.getByRole('button', { name: 'Change files' }).click();

  const changes = page.getByRole('region', { name: 'Changes made' });
  await expect(changes).toContainText(`Changed ${credentialsFile} (2 lines)`);
  await expect(changes).toContainText(`Changed ${envFile} (2 lines)`);
  // What is left: the history line nobody confirmed.
  await expect(page.getByRole('heading', { name: 'Found a plain-text copy in 1 file' })).toBeVisible();
  await snapSizes(page, snap, 'plaintext-changed');
  expect(await accessibilityViolations(page)).toEqual([]);

  // On disk: the profile asks Keydesk, the .env lost exactly its key lines, modes kept, backups hold no secret.
  const credentials = await readFile(credentialsFile, 'utf8');
  const processLine = /^credential_process = (.+) credential-process --profile rgw-aws-profile$/m.exec(credentials);
  expect(processLine, credentials).not.toBeNull();
  expect(credentials).toBe(['# work', '[rgw]', processLine![0], ''].join('\n'));
  expect(await readFile(envFile, 'utf8')).toBe(['NODE_ENV=production', MOVED_NOTE, `AWS_ENDPOINT_URL=${rgw.endpoint}`, 'PORT=3000', ''].join('\n'));
  expect((await stat(credentialsFile)).mode & 0o777).toBe(0o600);
  expect((await stat(envFile)).mode & 0o777).toBe(0o640);
  expect(await readFile(history, 'utf8')).toContain(user.secretAccessKey);
  const backups = await readdir(join(home, 'backups'));
  expect(backups).toHaveLength(2);
  for (const name of backups) {
    const text = await readFile(join(home, 'backups', name), 'utf8');
    expect(text).not.toContain(user.secretAccessKey);
    expect(text).toContain(BACKUP_PLACEHOLDER);
    expect(text).toContain(user.accessKeyId);
  }
  expect(await filesContaining(home, user.secretAccessKey)).toEqual([]);
  expect(await filesContaining(userHome, user.secretAccessKey)).toEqual([history]);

  // Debian's aws CLI reads the rewritten profile and gets the key from Keydesk through credential_process.
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: userHome, KEYDESK_HOME: home, AWS_SHARED_CREDENTIALS_FILE: credentialsFile, AWS_CONFIG_FILE: configFile };
  delete env.AWS_ACCESS_KEY_ID;
  delete env.AWS_SECRET_ACCESS_KEY;
  delete env.AWS_CA_BUNDLE;
  const { stdout } = await run('/usr/bin/aws', ['--profile', 'rgw', '--endpoint-url', rgw.endpoint, 's3', 'ls'], { env, timeout: 60_000 });
  expect(stdout).toContain(bucket);
});

test('an added folder is searched (browser mode: only inside KEYDESK_WEB_PATHS), and a saved key’s copies are found from Use in…', async ({ page, rgw, userHome, snap }) => {
  const user = await createRgwUser(rgw, 'plain');
  const project = await mkdtemp(join(tmpdir(), 'keydesk-e2e-project-'));
  try {
    await writeFile(join(project, 'deploy.sh'), ['#!/bin/sh', `export AWS_ACCESS_KEY_ID=${user.accessKeyId}`, `export AWS_SECRET_ACCESS_KEY=${user.secretAccessKey}`, 'aws s3 sync . s3://site', ''].join('\n'), { mode: 0o755 });
    await writeFile(join(userHome, '.s3cfg'), ['[default]', `access_key = ${user.accessKeyId}`, `secret_key = ${user.secretAccessKey}`, `host_base = ${new URL(rgw.endpoint).host}`, 'use_https = False', ''].join('\n'));

    // Save the key first, as a user who typed it in would have.
    await addCredential(page, rgw, user);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Credentials' }).click();
    const row = page.getByRole('table', { name: 'Saved credentials' }).getByRole('row').filter({ hasText: 'RGW browse' });
    await row.getByRole('button', { name: 'Use in…', exact: true }).click();
    await expect(page.getByRole('dialog', { name: 'Use RGW browse in…' }).getByLabel('Snippet')).toContainText('credential_process');
    await snapSizes(page, snap, 'use-in-find-copies');
    await page.getByRole('button', { name: 'Find plain-text copies of this key…' }).click();
    await expect(page.getByRole('heading', { name: 'Plain-text copies of RGW browse' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Found a plain-text copy in 1 file' })).toBeVisible();
    await expect(page.getByRole('list', { name: `Copies in ${join(userHome, '.s3cfg')}` })).toContainText('Keydesk holds this key as “RGW browse”.');

    const scope = page.locator('details.scope');
    await scope.locator('summary').first().click();
    await scope.getByRole('button', { name: 'Add folder…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Search a folder for plain-text keys' });
    await typePath(page, '/etc', 'Add folder');
    await expect(dialog.getByRole('alert')).toContainText('/etc is outside the folders this browser-mode Keydesk may read.');
    await snapSizes(page, snap, 'plaintext-folder-refused');
    await typePath(page, project, 'Add folder');
    await expect(dialog).toBeHidden();
    await expect(scope.getByRole('list', { name: 'Added folders' })).toContainText(project);
    await expect(scope.getByRole('list', { name: 'Added folders' })).not.toContainText('not searched');

    await page.getByRole('button', { name: 'Scan again' }).click();
    await expect(page.getByRole('heading', { name: 'Found 2 plain-text copies in 2 files' })).toBeVisible();
    const script = page.getByRole('list', { name: `Copies in ${join(project, 'deploy.sh')}` }).getByRole('listitem');
    await expect(script).toContainText('lines 2, 3');
    await expect(script.getByLabel('Masked excerpt')).toHaveText(`export AWS_ACCESS_KEY_ID=${user.accessKeyId}\nexport AWS_SECRET_ACCESS_KEY=••••••••`);
    expect(await page.locator('body').innerText()).not.toContain(user.secretAccessKey);
    await snapSizes(page, snap, 'plaintext-key-folder');

    // The folder is remembered, and can be removed again.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Credentials' }).click();
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByRole('button', { name: 'Find keys stored in plain text…' }).click();
    await expect(page.getByRole('heading', { name: /plain-text cop/ })).toBeVisible();
    await page.locator('details.scope summary').first().click();
    await page.getByRole('button', { name: `Remove ${project} from the search` }).click();
    await expect(page.getByText('No folders added.')).toBeVisible();
  } finally {
    await rm(project, { recursive: true, force: true });
  }
});

test('a long scan shows where it is and can be cancelled, keeping the findings of the scan before', async ({ page, userHome, snap }) => {
  // Thousands of small files in an added folder: long enough to see and to cancel.
  const project = await mkdtemp(join(tmpdir(), 'keydesk-e2e-many-'));
  try {
    for (let dir = 0; dir < 40; dir++) {
      await mkdir(join(project, `d${dir}`));
      await Promise.all(Array.from({ length: 500 }, (_, i) => writeFile(join(project, `d${dir}`, `f${i}.txt`), `line ${i}\nnothing here\n`)));
    }
    await writeFile(join(userHome, '.s3cfg'), '[default]\nhost_base = example.org\n');
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByRole('button', { name: 'Find keys stored in plain text…' }).click();
    await expect(page.getByRole('heading', { name: 'No plain-text keys found' })).toBeVisible();
    await page.locator('details.scope summary').first().click();
    await page.getByRole('button', { name: 'Add folder…' }).click();
    await typePath(page, project, 'Add folder');

    await page.getByRole('button', { name: 'Scan again' }).click();
    const progress = page.getByRole('status', { name: 'Scan progress' });
    await expect(progress).toContainText(/Searching… [\d,]+ files? read in [\d,]+ folders?/);
    await expect(progress).toContainText(project);
    await snapSizes(page, snap, 'plaintext-scanning');
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByText('Scan cancelled: the findings below are from the scan before.')).toBeVisible();
    await expect(progress).toBeHidden();
    await expect(page.getByRole('button', { name: 'Scan again' })).toBeEnabled();
  } finally {
    await rm(project, { recursive: true, force: true });
  }
});
