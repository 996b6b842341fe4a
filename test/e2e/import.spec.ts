import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MOVED_NOTE } from '../../src-main/core/ecosystem/importer';
import { createS3Client } from '../../src-main/core/s3/client';
import { createRgwUser, type RgwUser } from '../helpers/rgw-users';
import { expect, filesContaining, testWithUserHome } from './fixtures';
import { listBuckets } from './rgw-account';

const run = promisify(execFile);

const test = testWithUserHome;

async function writeSampleFiles(userHome: string, endpoint: string, aws: RgwUser, s3cmd: RgwUser): Promise<void> {
  const url = new URL(endpoint);
  await writeFile(
    join(userHome, '.aws', 'credentials'),
    [
      '# work keys',
      '[rgw]',
      `aws_access_key_id = ${aws.accessKeyId}`,
      `aws_secret_access_key = ${aws.secretAccessKey}`,
      '',
      '[temporary]',
      'aws_access_key_id = ASIAEXAMPLETEMPORARY',
      'aws_secret_access_key = temporary-secret-value',
      'aws_session_token = session-token-value',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  await writeFile(join(userHome, '.aws', 'config'), ['[profile rgw]', 'region = us-east-1', `endpoint_url = ${endpoint}`, 's3 =', '  addressing_style = path', ''].join('\n'));
  await writeFile(join(userHome, '.config', 'rclone', 'rclone.conf'), ['[envonly]', 'type = s3', 'provider = AWS', 'env_auth = true', ''].join('\n'));
  await writeFile(
    join(userHome, '.s3cfg'),
    ['[default]', `access_key = ${s3cmd.accessKeyId}`, `secret_key = ${s3cmd.secretAccessKey}`, `host_base = ${url.host}`, `host_bucket = ${url.host}`, 'use_https = False', ''].join('\n'),
    { mode: 0o600 },
  );
}

test('import an ~/.aws profile with plain-text removal, browse with it, and use it through credential_process', async ({ page, rgw, home, userHome, snap }) => {
  const aws = await createRgwUser(rgw, 'import');
  const s3cmd = await createRgwUser(rgw, 'import');
  const bucket = `${aws.uid}-data`;
  const s3 = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, ...aws, forcePathStyle: true, checksums: 'when-required' });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  s3.destroy();
  await writeSampleFiles(userHome, rgw.endpoint, aws, s3cmd);
  const credentialsFile = join(userHome, '.aws', 'credentials');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);

  await page.getByRole('button', { name: 'Import…' }).click();
  await expect(page.getByRole('heading', { name: 'Import keys' })).toBeVisible();
  const sources = page.getByRole('list', { name: 'Files looked at' });
  for (const file of [credentialsFile, join(userHome, '.aws', 'config'), join(userHome, '.config', 'rclone', 'rclone.conf'), join(userHome, '.s3cfg')]) {
    await expect(sources.getByRole('listitem').filter({ hasText: file })).toContainText('found');
  }

  const found = page.getByRole('table', { name: 'Found keys' });
  const rowOf = (name: string) => found.getByRole('row').filter({ hasText: name });
  await expect(rowOf('rgw')).toContainText('Works');
  await expect(rowOf('rgw')).toContainText(aws.accessKeyId);
  await expect(found.getByRole('checkbox', { name: 'Import rgw (AWS profile)' })).toBeChecked();
  await expect(rowOf('temporary')).toContainText('Can’t import: Temporary session credentials expire');
  await expect(found.getByRole('checkbox', { name: 'Import temporary (AWS profile)' })).toBeDisabled();
  await expect(rowOf('envonly')).toContainText('Takes its key from the environment (env_auth)');
  await expect(found.getByRole('checkbox', { name: 'Import envonly (rclone remote)' })).toBeDisabled();
  await expect(found.getByRole('checkbox', { name: 'Import default (s3cmd)' })).toBeChecked();
  for (const secret of [aws.secretAccessKey, s3cmd.secretAccessKey, 'temporary-secret-value', 'session-token-value']) {
    expect(await page.locator('body').innerText()).not.toContain(secret);
  }
  await snap('import-scan');

  // Only the AWS profile; the s3cmd key stays where it is.
  await found.getByRole('checkbox', { name: 'Import default (s3cmd)' }).uncheck();
  await page.getByLabel('Remove the plain-text copies after import').check();
  await expect(page.getByText('Will rewrite:')).toContainText(credentialsFile);
  await expect(page.getByText('Will rewrite:')).not.toContainText('.s3cfg');
  await snap('import-remove-option');
  await page.getByRole('button', { name: 'Import 1 key' }).click();

  const result = page.getByRole('region', { name: 'Import result' });
  await expect(result.getByRole('heading')).toHaveText('Imported 1 key');
  await expect(result).toContainText(`Saved “rgw (AWS profile)” ${aws.accessKeyId} in the keychain.`);
  await expect(result.getByRole('status')).toContainText(`Removed the plain-text secrets from ${credentialsFile} (2 lines)`);
  await snap('import-result');

  const rewritten = await readFile(credentialsFile, 'utf8');
  expect(rewritten).not.toContain(aws.secretAccessKey);
  expect(rewritten).not.toContain(aws.accessKeyId);
  expect(rewritten).toContain(MOVED_NOTE);
  expect(rewritten).toContain('aws_session_token = session-token-value');
  expect(await readFile(join(userHome, '.s3cfg'), 'utf8')).toContain(s3cmd.secretAccessKey);

  await result.getByRole('button', { name: 'Done' }).click();
  const label = 'rgw (AWS profile)';
  const row = page.getByRole('table', { name: 'Saved credentials' }).getByRole('row').filter({ hasText: label });
  await expect(row).toContainText(aws.accessKeyId);
  await row.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('table', { name: 'Buckets' })).toContainText(bucket);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Credentials' }).click();

  // Use in…: the AWS block runs Keydesk's credential_process; no snippet holds the secret until revealed.
  // Row buttons keep their visible names; the row's label describes them.
  await expect(row.getByRole('button', { name: 'Use in…', exact: true })).toHaveAccessibleDescription(label);
  await row.getByRole('button', { name: 'Use in…', exact: true }).click();
  const panel = page.getByRole('dialog', { name: `Use ${label} in…` });
  const snippet = panel.getByLabel('Snippet');
  await expect(snippet).toContainText('[profile rgw-aws-profile]');
  await expect(snippet).toContainText('credential_process = ');
  await expect(snippet).toContainText(`endpoint_url = ${rgw.endpoint}`);
  const awsBlock = (await snippet.textContent())!;
  expect(awsBlock).not.toContain(aws.secretAccessKey);
  await expect(panel.getByRole('button', { name: 'Reveal secret in snippet' })).toHaveCount(0);
  await panel.getByRole('button', { name: 'Copy' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(awsBlock);
  await snap('use-in-aws');

  // The credential_process line, run as the AWS CLI would, answers with the key from the keychain.
  const command = /^credential_process = (.+)$/m.exec(awsBlock)![1];
  const { stdout } = await run('sh', ['-c', command], { env: { ...process.env, KEYDESK_HOME: home } });
  const answer = JSON.parse(stdout) as { Version: number; AccessKeyId: string; SecretAccessKey: string };
  expect(answer).toMatchObject({ Version: 1, AccessKeyId: aws.accessKeyId });
  expect(await listBuckets(rgw, answer.AccessKeyId, answer.SecretAccessKey)).toContain(bucket);

  await panel.getByRole('tab', { name: 'rclone' }).click();
  await expect(snippet).toContainText('env_auth = true');
  expect(await snippet.textContent()).not.toContain(aws.secretAccessKey);
  await snap('use-in-rclone');

  await panel.getByRole('tab', { name: 'Environment variables' }).click();
  await expect(snippet).toContainText('export AWS_PROFILE=rgw-aws-profile');
  expect(await snippet.textContent()).not.toContain(aws.secretAccessKey);
  await panel.getByRole('button', { name: 'Reveal secret in snippet' }).click();
  const confirm = page.getByRole('dialog', { name: 'Put the secret in the snippet?' });
  await expect(confirm).toContainText('holds the secret access key in plain text');
  await snap('use-in-reveal-confirm');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  expect(await snippet.textContent()).not.toContain(aws.secretAccessKey);

  await panel.getByRole('button', { name: 'Reveal secret in snippet' }).click();
  await confirm.getByRole('button', { name: 'Reveal secret' }).click();
  await expect(snippet).toContainText(`export AWS_SECRET_ACCESS_KEY=${aws.secretAccessKey}`);
  await expect(panel.getByText('This snippet holds the secret access key in plain text')).toBeVisible();
  await panel.getByRole('button', { name: 'Copy' }).click();
  await expect(panel.getByRole('status')).toHaveText('Copied with the secret. Keydesk clears it from the clipboard in 30 seconds.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(aws.secretAccessKey);
  await snap('use-in-env-revealed');

  await panel.getByRole('button', { name: 'Hide secret' }).click();
  expect(await snippet.textContent()).not.toContain(aws.secretAccessKey);
  await panel.getByRole('button', { name: 'Done' }).click();
  await expect(panel).toBeHidden();

  // A new scan no longer finds the cleaned profile's key; the unselected s3cmd key is still offered.
  await page.getByRole('button', { name: 'Import…' }).click();
  await expect(found.getByRole('checkbox', { name: 'Import default (s3cmd)' })).toBeChecked();
  await expect(found.getByRole('checkbox', { name: 'Import rgw (AWS profile)' })).toHaveCount(0);

  expect(await filesContaining(home, aws.secretAccessKey)).toEqual([]);
  expect(await filesContaining(userHome, aws.secretAccessKey)).toEqual([]);
});

test('an encrypted rclone config is named, and nothing importable means nothing to tick', async ({ page, userHome, snap }) => {
  await writeFile(join(userHome, '.config', 'rclone', 'rclone.conf'), '# Encrypted rclone configuration File\n\nRCLONE_ENCRYPT_V0:\nc2VjcmV0LWJ5dGVz\n');
  await page.getByRole('button', { name: 'Import…' }).click();
  const sources = page.getByRole('list', { name: 'Files looked at' });
  await expect(sources.getByRole('listitem').filter({ hasText: 'rclone.conf' })).toContainText('This rclone config is encrypted; Keydesk cannot read it.');
  await expect(sources.getByRole('listitem').filter({ hasText: '.s3cfg' })).toContainText('not found');
  await expect(page.getByRole('heading', { name: 'No key pairs found' })).toBeVisible();
  await snap('import-nothing-found');
  await page.getByRole('button', { name: '← Credentials' }).click();
  await expect(page.getByRole('heading', { name: 'No credentials yet' })).toBeVisible();
});
