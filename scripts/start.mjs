// `npm start`: installs what is missing, builds, and launches the desktop app. When the Electron binary
// cannot be downloaded (offline, locked-down networks), it says so and points to browser mode.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { exitUnlessSupportedNode } from '../src-main/core/node-version.mjs';

// Before installing or building anything: on an older Node those fail with errors that do not say why.
exitUnlessSupportedNode();
const { ensureNodeModules, ensureSystemPackages } = await import('./ensure-deps.mjs');
const root = join(import.meta.dirname, '..');
ensureSystemPackages('runtime');
ensureNodeModules();

function electronPath() {
  try {
    const path = createRequire(import.meta.url)(join(root, 'node_modules/electron'));
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

if (!electronPath()) {
  console.log('Downloading the Electron binary…');
  spawnSync(process.execPath, [join(root, 'node_modules/electron/install.js')], { cwd: root, stdio: 'inherit' });
}
const electron = electronPath();
if (!electron) {
  console.error(
    '\nThe Electron binary could not be installed (its download is blocked or failed), so the desktop app cannot start.\n' +
      'Fix the network or set ELECTRON_MIRROR, then run `npm start` again — or use browser mode now: `npm run web`.',
  );
  process.exit(1);
}
const build = spawnSync(join(root, 'node_modules/.bin/electron-vite'), ['build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const app = spawnSync(electron, [root], { cwd: root, stdio: 'inherit' });
process.exit(app.status ?? 0);
