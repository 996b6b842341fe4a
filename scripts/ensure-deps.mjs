// Installs what Keydesk needs on a fresh machine: Debian packages (when root) and node_modules.
// Electron's binary is optional here: `npm start` fetches it, tests run without it.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

/** `runtime` for running the app, `test` for the whole test suite (real servers, Chromium). */
export function ensureSystemPackages(group) {
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) return;
  execFileSync('bash', [join(root, 'scripts/install-system-deps.sh'), group], { stdio: 'inherit' });
}

export function ensureNodeModules() {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules/.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('Installing npm packages (npm ci)…');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
  });
}
