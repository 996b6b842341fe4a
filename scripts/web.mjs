// `npm run web`: browser mode — builds, then serves Keydesk on 127.0.0.1 and prints the URL with its token.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { exitUnlessSupportedNode } from '../src-main/core/node-version.mjs';

// Before installing or building anything: on an older Node those fail with errors that do not say why.
exitUnlessSupportedNode();
const { ensureNodeModules, ensureSystemPackages } = await import('./ensure-deps.mjs');
const root = join(import.meta.dirname, '..');
ensureSystemPackages('runtime');
ensureNodeModules();
const build = spawnSync(join(root, 'node_modules/.bin/electron-vite'), ['build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const server = spawnSync(process.execPath, [join(root, 'out/main/web.js')], { cwd: root, stdio: 'inherit' });
process.exit(server.status ?? 0);
