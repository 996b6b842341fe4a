// `npm run bench`: bundles the Keydesk engine runner (one process per operation, so its time includes
// start-up like the CLI tools' and its peak RSS is its own), then runs test/bench/bench.ts through Vite.
// Only Vite's own API is used (a direct devDependency), not the bundler it happens to ship with.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, runnerImport } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'node_modules', '.cache', 'keydesk-bench');
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
    // One file but for undici, which only the undici runs load (its own chunk).
    rollupOptions: { output: { format: 'es', entryFileNames: 'keydesk-runner.mjs', chunkFileNames: 'runner-[name].mjs' } },
  },
});
const { module } = await runnerImport(join(root, 'test', 'bench', 'bench.ts'));
await module.main(runner);
process.exit(0);
