// `npm run bench`: bundles the Keydesk engine runner (one process per operation, so its time includes
// start-up like the CLI tools' and its peak RSS is its own), then runs test/bench/bench.ts through Vite.
// Only Vite's own API is used (a direct devDependency), not the bundler it happens to ship with.
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, runnerImport } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// One folder per bench process: runs from several worktrees or at once do not overwrite each other's runner.
const outDir = join(root, 'node_modules', '.cache', `keydesk-bench-${process.pid}`);
await mkdir(outDir, { recursive: true });
const runner = join(outDir, 'keydesk-runner.mjs');
await build({
  configFile: false,
  root,
  logLevel: 'warn',
  // Everything in one file, like the app's bundled main process: no node_modules resolution at start.
  ssr: { noExternal: true },
  build: {
    ssr: join(root, 'test', 'bench', 'keydesk-runner.ts'),
    outDir,
    emptyOutDir: false,
    minify: false,
    copyPublicDir: false,
    // undici, imported dynamically, is inlined too but only evaluated in the undici runs.
    rollupOptions: { output: { format: 'es', entryFileNames: 'keydesk-runner.mjs', codeSplitting: false } },
  },
});
const { module } = await runnerImport(join(root, 'test', 'bench', 'bench.ts'));
try {
  await module.main(runner);
} finally {
  await rm(outDir, { recursive: true, force: true });
}
process.exit(0);
