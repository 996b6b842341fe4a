import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { build } from 'vite';

const root = join(import.meta.dirname, '..', '..');

/**
 * Bundles a TypeScript script of the tests into one ES module that plain `node` runs (for tests that need
 * the engine in a process of its own, to kill it). Packages stay imports, resolved from node_modules at run
 * time, which keeps the build to a second or two. Returns the bundle's path.
 */
export async function bundleScript(entry: string): Promise<string> {
  const name = basename(entry).replace(/\.ts$/, '.mjs');
  const outDir = join(root, 'node_modules', '.cache', 'keydesk-test-scripts', String(process.pid));
  await mkdir(outDir, { recursive: true });
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      ssr: entry,
      outDir,
      emptyOutDir: false,
      minify: false,
      copyPublicDir: false,
      rollupOptions: { output: { format: 'es', entryFileNames: name } },
    },
  });
  return join(outDir, name);
}
