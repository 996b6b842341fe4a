import { _electron, chromium, test as base, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { rgwFromEnv, type RgwInfo } from '../servers/rgw';
import { expectNoSeriousA11yViolations } from './a11y';

const root = resolve(import.meta.dirname, '../..');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface KeydeskFixtures {
  keydeskMode: 'browser' | 'electron';
  /** Extra environment for the app under test (e.g. a D-Bus address with no keychain behind it). */
  appEnv: Record<string, string>;
  /** A private KEYDESK_HOME (data dir + keychain namespace) for this test. */
  home: string;
  page: Page;
  /** Browser mode's server process (undefined for Electron), for specs that stop it under the page. */
  webServer: WebServer | undefined;
  rgw: RgwInfo;
  /** Saves a screenshot under test-results/screens/ for people to look at. */
  snap: (name: string) => Promise<void>;
  /** Browser mode only: stops the app's server and starts it again on the same home (Keydesk closed and reopened), with `env` added, and reloads the page. */
  restartApp: (env?: Record<string, string>) => Promise<void>;
}

/** The installed Electron binary, found without require('electron') (which would try to download it). */
export function electronBinary(): string | undefined {
  const electronDir = join(root, 'node_modules/electron');
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

export interface WebServer {
  url: string;
  child: ChildProcess;
}

/** Starts browser mode (`out/main/web.js`) and resolves with the tokened URL it prints. */
async function startWebMode(home: string, appEnv: Record<string, string>): Promise<WebServer> {
  const child = spawn(process.execPath, [join(root, 'out/main/web.js')], {
    // Specs upload from and download to fresh folders under the temp directory.
    env: { ...process.env, KEYDESK_WEB_PATHS: tmpdir(), ...appEnv, KEYDESK_HOME: home, KEYDESK_WEB_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`browser mode did not start: ${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /open (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`browser mode exited (${code}): ${output}`)));
  });
  return { url, child };
}

export const test = base.extend<KeydeskFixtures>({
  keydeskMode: ['browser', { option: true }],
  appEnv: [{}, { option: true }],
  rgw: async ({}, use) => {
    const rgw = rgwFromEnv();
    if (!rgw) throw new Error('No RGW: the e2e global setup did not run.');
    await use(rgw);
  },
  home: async ({}, use) => {
    const home = await mkdtemp(join(tmpdir(), 'keydesk-e2e-'));
    await use(home);
    await rm(home, { recursive: true, force: true });
  },
  webServer: async ({ keydeskMode, home, appEnv }, use) => {
    if (keydeskMode !== 'browser') return use(undefined);
    const server = await startWebMode(home, appEnv);
    await use(server);
    // A spec may have stopped it (SIGSTOP): a stopped process only acts on SIGTERM once continued.
    server.child.kill('SIGCONT');
    server.child.kill('SIGTERM');
  },
  restartApp: async ({ page, webServer, home, appEnv }, use) => {
    await use(async (env = {}) => {
      if (!webServer) throw new Error('restarting the app is done in browser mode');
      const { child } = webServer;
      const exited = new Promise((done) => child.once('exit', done));
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        await exited;
      }
      // The same object, so the fixture's own teardown stops the process that runs now.
      Object.assign(webServer, await startWebMode(home, { ...appEnv, ...env }));
      await page.goto(webServer.url);
    });
  },
  page: async ({ keydeskMode, appEnv, home, webServer }, use) => {
    if (keydeskMode === 'electron') {
      const executablePath = electronBinary();
      test.skip(!executablePath, 'Electron binary not installed (installed with ELECTRON_SKIP_BINARY_DOWNLOAD): electron e2e skipped; browser mode covers the same specs.');
      const app = await _electron.launch({ executablePath, args: [join(root, 'out/main/index.js')], env: { ...process.env, ...appEnv, KEYDESK_HOME: home } });
      await use(await app.firstWindow());
      await app.close();
      return;
    }
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    // A context of its own, as axe-core's Playwright builder requires.
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 760 } })).newPage();
    await page.goto(webServer!.url);
    await use(page);
    await browser.close();
  },
  snap: async ({ page, keydeskMode }, use) => {
    await use(async (name) => {
      // A full-page capture draws the sticky sidebar where the page is scrolled to: from the top it runs down the side.
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(root, 'test-results/screens', `${keydeskMode}-${name}.png`), fullPage: true });
    });
  },
});

export { expect } from '@playwright/test';

/**
 * Specs that read the other tools' config files: the app under test gets its own HOME (apart from
 * KEYDESK_HOME) and the same variables the AWS CLI and rclone honour, so a developer's files are never read.
 */
export const testWithUserHome = test.extend<{ userHome: string }>({
  userHome: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'keydesk-e2e-user-'));
    await mkdir(join(dir, '.aws'));
    await mkdir(join(dir, '.config', 'rclone'), { recursive: true });
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
  appEnv: async ({ userHome }, use) =>
    use({
      HOME: userHome,
      XDG_CONFIG_HOME: join(userHome, '.config'),
      AWS_SHARED_CREDENTIALS_FILE: join(userHome, '.aws', 'credentials'),
      AWS_CONFIG_FILE: join(userHome, '.aws', 'config'),
      RCLONE_CONFIG: join(userHome, '.config', 'rclone', 'rclone.conf'),
    }),
});

/** The window sizes every changed screen is looked at in: a laptop and a small window. */
export const SCREEN_SIZES = [
  { width: 1280, height: 800 },
  { width: 900, height: 600 },
] as const;

/** Screenshots of the current screen at each of SCREEN_SIZES (`name-1280x800.png`, …), then the size it had. */
export async function snapSizes(page: Page, snap: (name: string) => Promise<void>, name: string): Promise<void> {
  const before = page.viewportSize();
  for (const size of SCREEN_SIZES) {
    await page.setViewportSize(size);
    await snap(`${name}-${size.width}x${size.height}`);
    // Every screen a test pictures is also checked by axe-core, at both sizes.
    await expectNoSeriousA11yViolations(page, `${name} at ${size.width}x${size.height}`);
  }
  if (before) await page.setViewportSize(before);
}

/** Every file under a directory, recursively, for the secret scan. */
export async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/**
 * The files under `dir` that hold `needle`. The app may still be writing: a temp file renamed over its
 * name between listing and reading makes the scan start again, so nothing written is skipped.
 */
export async function filesContaining(dir: string, needle: string): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const hits: string[] = [];
      for (const file of await allFiles(dir)) {
        if ((await readFile(file)).includes(needle)) hits.push(file);
      }
      return hits;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 5) throw error;
    }
  }
}
