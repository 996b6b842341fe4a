import type { Page, WebSocketRoute } from '@playwright/test';
import type { RotationProgress } from '../../src-main/core/rotation/engine';
import { expect, filesContaining, test } from './fixtures';
import { addRgwAccount, keylessUserWithBucket, listBuckets, rgwKeys } from './rgw-account';

const DAY_MS = 86_400_000;

/**
 * Holds the bridge's messages after each rotation:progress event until the test calls next(), so every
 * step can be seen on screen however fast RGW is. Order is kept: later replies and events queue behind.
 */
async function stepThroughProgress(page: Page) {
  const queue: string[] = [];
  const steps: RotationProgress[] = [];
  let holding = false;
  let route: WebSocketRoute | undefined;
  const pump = () => {
    while (route && !holding && queue.length) {
      const message = queue.shift()!;
      route.send(message);
      const data = JSON.parse(message) as { event?: string; payload?: RotationProgress };
      if (data.event === 'rotation:progress') {
        steps.push(data.payload!);
        holding = true;
      }
    }
  };
  await page.routeWebSocket(/\/bridge/, (ws) => {
    route = ws;
    ws.connectToServer().onMessage((message) => {
      queue.push(String(message));
      pump();
    });
  });
  await page.reload();
  return {
    steps,
    next: () => {
      holding = false;
      pump();
    },
  };
}

const STEP_TEXT: Partial<Record<RotationProgress['step'], string>> = {
  create: 'Creating the new key…',
  verify: 'Waiting for the new key to work on S3…',
  switch: 'Switching the saved credentials…',
  revoke: 'Dealing with the old key…',
  done: 'Rotated.',
};

test('Rotate now with "Delete it now" on an RGW key: each step shown, the credential follows the new key, the old key is refused', async ({ page, rgw, home, snap }) => {
  const { uid, bucket } = await keylessUserWithBucket(rgw, 'rotate');
  const progress = await stepThroughProgress(page);

  await addRgwAccount(page, rgw, uid, rgw.admin.secretAccessKey);
  await page.getByRole('button', { name: 'Verify and save' }).click();
  await page.getByRole('button', { name: 'Create S3 credentials' }).click();
  const createDialog = page.getByRole('dialog', { name: 'Create key' });
  await createDialog.getByLabel('Description').fill('e2e rotation');
  await createDialog.getByRole('button', { name: 'Create key' }).click();
  const created = page.getByRole('dialog', { name: 'Key created' });
  const oldKeyId = (await created.getByTestId('new-access-key').textContent())!.trim();
  await created.getByRole('button', { name: 'Done' }).click();
  const [oldKey] = await rgwKeys(rgw, uid);
  expect(oldKey.accessKeyId).toBe(oldKeyId);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Credentials' }).click();
  const label = 'RGW lab: e2e rotation';
  const row = page.getByRole('table', { name: 'Saved credentials' }).getByRole('row').filter({ hasText: label });
  await expect(row).toContainText(oldKeyId);
  await expect(row).toContainText('added today');
  await expect(row.getByTestId('rotation-due')).toHaveText('due in 90 days');
  await expect(row.getByRole('button', { name: `Rotation policy of ${label}: every 90 days` })).toHaveText('every 90 days');
  await snap('rotation-before');

  await row.getByRole('button', { name: 'Rotate now', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Rotate ${label}` });
  // Nothing happens before the dialog is confirmed.
  await expect(dialog.getByRole('radio', { name: /Keep it working for/ })).toBeChecked();
  expect(await rgwKeys(rgw, uid)).toHaveLength(1);
  await dialog.getByRole('radio', { name: /Delete it now/ }).check();
  await dialog.getByRole('button', { name: 'Rotate', exact: true }).click();
  const status = dialog.getByRole('status');
  const seen: RotationProgress['step'][] = [];
  for (;;) {
    await expect.poll(() => progress.steps.length).toBeGreaterThan(seen.length);
    const { step, attempt } = progress.steps[seen.length];
    await expect(status).toHaveText(`${STEP_TEXT[step] ?? step}${step === 'verify' && attempt! > 1 ? ` (try ${attempt})` : ''}`);
    if (step === 'verify' && !seen.includes('verify')) {
      await expect(dialog.getByRole('button', { name: 'Stop rotation' })).toBeVisible();
      await snap('rotation-verifying');
    }
    if (step === 'revoke') await snap('rotation-revoking');
    seen.push(step);
    progress.next();
    if (step === 'done' || step === 'failed') break;
  }
  expect([...new Set(seen)]).toEqual(['create', 'verify', 'switch', 'revoke', 'done']);

  await expect(status).toContainText('Rotated: 1 saved credential now uses');
  await expect(status).toContainText('was deleted');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();
  const keys = await rgwKeys(rgw, uid);
  expect(keys).toHaveLength(1);
  const newKey = keys[0];
  expect(newKey.accessKeyId).not.toBe(oldKeyId);
  await expect(row).toContainText(newKey.accessKeyId);
  await expect(row).not.toContainText(oldKeyId);
  await expect(row).toContainText('rotated today');
  await snap('rotation-done');

  expect(await listBuckets(rgw, newKey.accessKeyId, newKey.secretAccessKey)).toContain(bucket);
  await expect(listBuckets(rgw, oldKey.accessKeyId, oldKey.secretAccessKey)).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });

  await row.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('table', { name: 'Buckets' })).toContainText(bucket);

  expect(await filesContaining(home, oldKey.secretAccessKey)).toEqual([]);
  expect(await filesContaining(home, newKey.secretAccessKey)).toEqual([]);
});

test('rotation policy: the maximum age is editable and the due state follows it', async ({ page, rgw, snap }) => {
  const { uid } = await keylessUserWithBucket(rgw, 'policy');
  await addRgwAccount(page, rgw, uid, rgw.admin.secretAccessKey);
  await page.getByRole('button', { name: 'Verify and save' }).click();
  await page.getByRole('button', { name: 'Create S3 credentials' }).click();
  await page.getByRole('dialog', { name: 'Create key' }).getByLabel('Description').fill('e2e policy');
  await page.getByRole('dialog', { name: 'Create key' }).getByRole('button', { name: 'Create key' }).click();
  await page.getByRole('dialog', { name: 'Key created' }).getByRole('button', { name: 'Done' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Credentials' }).click();

  const label = 'RGW lab: e2e policy';
  const row = page.getByRole('table', { name: 'Saved credentials' }).getByRole('row').filter({ hasText: label });
  await row.getByRole('button', { name: `Rotation policy of ${label}` }).click();
  const dialog = page.getByRole('dialog', { name: `Rotation policy of ${label}` });
  const days = dialog.getByLabel('Rotate when the key is older than (days)');
  await expect(days).toHaveValue('90');
  await days.fill('0');
  await expect(days).toHaveAccessibleDescription('A whole number of days from 1 to 3650.');
  await days.fill('30');
  await snap('rotation-policy-edit');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByRole('button', { name: `Rotation policy of ${label}` })).toHaveText('every 30 days');
  await expect(row.getByTestId('rotation-due')).toHaveText('due in 30 days');

  // 45 days on, in the renderer's clock only: the key is overdue by 15 days.
  await page.clock.setFixedTime(Date.now() + 45 * DAY_MS);
  await page.reload();
  await expect(row.getByTestId('rotation-due')).toHaveText('overdue by 15 days');
  await expect(row).toContainText('added 45 days ago');
  await snap('rotation-overdue');
});
