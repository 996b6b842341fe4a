// The other Node.js builds the tests run on, pinned in scripts/node-runtimes (npm registry packages, exact
// versions, lockfile integrity): Node 22, which Electron 45's main process runs on and the AWS SDK's
// releases after January 2027 require, and Node 18, to see older Nodes refused in one clear line. Installed
// into node_modules/.cache rather than as devDependencies: these packages' bin is named `node`, and npm puts
// every dependency's bin ahead of the system Node on the PATH of every npm script.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const pins = join(root, 'scripts/node-runtimes');
const installed = join(root, 'node_modules/.cache/keydesk-node-runtimes');

/** Installs the pinned builds for this platform (npm ci), unless the same lockfile is installed already. */
export function ensureNodeRuntimes() {
  const lock = (dir) => (existsSync(join(dir, 'package-lock.json')) ? readFileSync(join(dir, 'package-lock.json'), 'utf8') : '');
  if (existsSync(join(installed, 'node_modules/.package-lock.json')) && lock(installed) === lock(pins)) return;
  console.log('Installing the Node.js builds the tests also run on (scripts/node-runtimes)…');
  mkdirSync(installed, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(pins, file), join(installed, file));
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: installed, stdio: 'inherit' });
}

/** The installed Node.js `major`, or undefined when scripts/node-runtimes pins none for this platform. */
export function nodeRuntime(major) {
  const bin = join(installed, `node_modules/node${major}-${process.platform}-${process.arch}/bin/node`);
  return existsSync(bin) ? bin : undefined;
}
