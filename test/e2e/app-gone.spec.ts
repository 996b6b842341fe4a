import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Page } from '@playwright/test';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { channelNames } from '../../src-main/ipc/channel-names';
import { createRgwUser } from '../helpers/rgw-users';
import { addCredential, s3For, typePath } from './browse-helpers';
import { expect, test, type WebServer } from './fixtures';

// Browser mode's server stopped or stuck under the page: the page says so, blocks, and never spins forever.

// Up to 14 s for the heartbeat to call a stuck server "not responding" (ipc/call-guard.ts), plus slack.
const NOTICE_MS = 25_000;

let local = '';
let s3: S3Client | undefined;
test.beforeEach(async ({ keydeskMode }) => {
  test.skip(keydeskMode !== 'browser', 'Stops the browser-mode server under the page; the desktop window has its own tests (test/shell, test/preload).');
  local = await mkdtemp(join(tmpdir(), 'keydesk-gone-'));
});
test.afterEach(async () => {
  s3?.destroy();
  s3 = undefined;
  // A skipped test (the Electron project) never made its folder.
  if (local) await rm(local, { recursive: true, force: true });
  local = '';
});

/** A bucket and a file large enough to still be uploading when the server is stopped (sparse: no disk used). */
async function prepare(page: Page, rgw: Parameters<typeof createRgwUser>[0]): Promise<string> {
  const user = await createRgwUser(rgw, 'e2e');
  const bucket = `${user.uid}-gone`;
  s3 = s3For(rgw, user);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const file = await open(join(local, 'big.bin'), 'w');
  await file.truncate(512 * 1024 * 1024);
  await file.close();
  await addCredential(page, rgw, user);
  return bucket;
}

/** Starts the upload and freezes the server the moment it is running, so it is stopped mid-transfer every time. */
async function uploadAndFreeze(page: Page, bucket: string, server: WebServer): Promise<void> {
  await page.getByRole('button', { name: bucket }).click();
  await page.getByRole('button', { name: 'Upload files' }).click();
  await typePath(page, join(local, 'big.bin'), 'Upload');
  await expect(page.getByRole('listitem', { name: 'Upload big.bin' })).toContainText('Transferring');
  server.child.kill('SIGSTOP');
}

/** The notice is a modal alert: the page behind it takes no clicks, and Escape does not dismiss it. */
async function expectBlocked(page: Page, title: string): Promise<void> {
  const notice = page.getByRole('alertdialog', { name: title });
  await expect(notice).toBeVisible({ timeout: NOTICE_MS });
  await page.keyboard.press('Escape');
  await expect(notice).toBeVisible();
  await expect(page.locator('nav.sidebar button', { hasText: 'Credentials' }).click({ trial: true, timeout: 1_000 })).rejects.toThrow();
}

async function snapBoth(page: Page, snap: (name: string) => Promise<void>, name: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await snap(`${name}-1280`);
  await page.setViewportSize({ width: 900, height: 600 });
  await snap(`${name}-900`);
  await page.setViewportSize({ width: 1200, height: 760 });
}

test('the real process answers malformed requests and frames with errors and keeps serving', async ({ page, webServer }) => {
  const url = new URL(webServer!.url);
  for (const path of ['/%ff', '/%', '/%c0%ae%c0%ae/etc/passwd']) expect((await fetch(`${url.origin}${path}`)).status).toBe(400);
  const token = new URLSearchParams(url.hash.slice(1)).get('token')!;
  const socket = new WebSocket(`ws://${url.host}/bridge?token=${token}`, { headers: { origin: url.origin } });
  const answers: unknown[] = [];
  socket.on('message', (data) => answers.push(JSON.parse(String(data))));
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send('null');
  socket.send(JSON.stringify({ id: 1, channel: { toString: 1 } }));
  socket.send(`{"id":2,"channel":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
  socket.send(JSON.stringify({ id: 3, channel: 'app:info' }));
  await expect.poll(() => answers.length).toBe(4);
  expect(answers).toContainEqual(expect.objectContaining({ id: 3, envelope: expect.objectContaining({ ok: true }) }));
  socket.close();
  expect(webServer!.child.exitCode).toBeNull();
  await expect(page.getByRole('heading', { name: 'Credentials', level: 1 })).toBeVisible();
});

test('killed mid-transfer: a blocking "Keydesk has stopped" notice, what to do, and no ETA left running', async ({ page, rgw, webServer, snap }) => {
  const bucket = await prepare(page, rgw);
  await uploadAndFreeze(page, bucket, webServer!);
  webServer!.child.kill('SIGKILL');

  await expectBlocked(page, 'Keydesk has stopped');
  const notice = page.getByRole('alertdialog', { name: 'Keydesk has stopped' });
  await expect(notice).toContainText('npm run web');
  await expect(notice).toContainText('Open the new URL it prints');
  await expect(notice).toContainText('Trying to reconnect');
  // Behind the notice: progress is unknown, not "Transferring … 10 s left".
  const transfers = page.locator('section.transfers');
  await expect(transfers.locator('.transfers-head [role=status]')).toHaveText('Keydesk is not connected: progress unknown.');
  await expect(transfers.locator('li.transfer')).toContainText('Status unknown');
  await expect(transfers.locator('li.transfer')).not.toContainText(/left|B\/s/);
  await snapBoth(page, snap, 'app-gone-stopped');
});

test('stuck mid-transfer: Cancel reports the failure, the page says Keydesk is not responding, and recovers when it answers again', async ({ page, rgw, webServer, snap }) => {
  const bucket = await prepare(page, rgw);
  await uploadAndFreeze(page, bucket, webServer!);
  await page.getByRole('listitem', { name: 'Upload big.bin' }).getByRole('button', { name: 'Cancel' }).click();

  await expectBlocked(page, 'Keydesk is not responding');
  await expect(page.locator('section.transfers [role=alert]')).toContainText('Keydesk stopped answering');
  await expect(page.getByRole('alertdialog', { name: 'Keydesk is not responding' })).toContainText('Wait a moment');
  await snapBoth(page, snap, 'app-gone-not-responding');

  // The same server answers again (a short hiccup): the page takes up where it was, with fresh data.
  webServer!.child.kill('SIGCONT');
  await expect(page.getByRole('alertdialog')).toBeHidden({ timeout: NOTICE_MS });
  await expect(page.getByRole('region', { name: 'Transfers' }).getByRole('status')).not.toContainText('not connected');
  await expect(page.getByRole('heading', { name: 'Buckets', level: 1 })).toBeVisible();
  // Rebuilt from main's own state: the cancel sent while it was stuck may have landed after all.
  await expect(page.getByRole('listitem', { name: 'Upload big.bin' })).toContainText(/Cancelled|Done|Transferring/);
  await expect(page.getByRole('listitem', { name: 'Upload big.bin' })).not.toContainText('Status unknown');
});

test('killed mid-listing: "Loading buckets…" turns into an error instead of spinning forever', async ({ page, rgw, webServer, snap }) => {
  await prepare(page, rgw);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Credentials' }).click();
  webServer!.child.kill('SIGSTOP');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Buckets' }).click();
  await expect(page.getByText('Loading buckets…')).toBeVisible();
  webServer!.child.kill('SIGKILL');

  await expectBlocked(page, 'Keydesk has stopped');
  await expect(page.getByText('Loading buckets…')).toBeHidden();
  await expect(page.locator('main [role=alert]').first()).toContainText('Keydesk has stopped');
  await expect(page.locator('main [role=alert]').first()).not.toContainText('`');
  await snapBoth(page, snap, 'app-gone-listing');
});

test('a page with a wrong or old token says it cannot reach Keydesk and what to open instead', async ({ page, webServer, snap }) => {
  const url = new URL(webServer!.url);
  // Only the fragment differs: leave first, or the browser keeps the page (and its connection).
  await page.goto('about:blank');
  await page.goto(`${url.origin}/#token=${'0'.repeat(48)}`);
  await expectBlocked(page, 'Cannot reach Keydesk');
  await expect(page.getByRole('alertdialog', { name: 'Cannot reach Keydesk' })).toContainText('Open the exact URL that npm run web printed');
  await snapBoth(page, snap, 'app-gone-unreachable');
});

test('the desktop window says when its background process stops answering', async ({ page, snap }) => {
  // The preload's side, as the page sees it: calls that never end, then the heartbeat's verdict.
  await page.addInitScript((names: readonly string[]) => {
    const api: Record<string, unknown> = {};
    for (const name of names) {
      const [area, verb] = name.split(':');
      ((api[area] ??= {}) as Record<string, unknown>)[verb] = () => new Promise(() => {});
    }
    api.on = () => () => {};
    api.onConnection = (listener: (state: unknown) => void) => {
      listener({ status: 'open' });
      setTimeout(() => listener({ status: 'lost', reason: 'not-responding' }), 100);
      return () => {};
    };
    (window as unknown as { keydesk: unknown }).keydesk = api;
  }, channelNames);
  await page.reload();
  await expectBlocked(page, 'Keydesk is not responding');
  const notice = page.getByRole('alertdialog', { name: 'Keydesk is not responding' });
  await expect(notice).toContainText('background process has not answered for 10 seconds');
  await expect(notice).toContainText('quit Keydesk and start it again');
  await expect(notice).not.toContainText('npm run web');
  await snapBoth(page, snap, 'app-gone-desktop');
});
