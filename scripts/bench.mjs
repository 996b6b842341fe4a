// `npm run bench`: bundles the Keydesk engine runner (one process per operation, so its time includes
// start-up like the CLI tools' and its peak RSS is its own), then runs test/bench/bench.ts through Vite.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';
import { runnerImport } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'node_modules', '.cache', 'keydesk-bench');
await mkdir(outDir, { recursive: true });
const runner = join(outDir, 'keydesk-runner.mjs');
await build({
  input: join(root, 'test', 'bench', 'keydesk-runner.ts'),
  platform: 'node',
  logLevel: 'warn',
  output: { file: runner, format: 'esm', codeSplitting: false },
});
const { module } = await runnerImport(join(root, 'test', 'bench', 'bench.ts'));
await module.main(runner);
process.exit(0);
