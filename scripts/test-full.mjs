// `npm run test:full`: everything `npm test` runs, with the slow settings — the property-based (fuzz)
// suites generate KEYDESK_FUZZ_RUNS cases per property (2000 unless set) instead of `npm test`'s few
// hundred. Set KEYDESK_FUZZ_SEED to explore other inputs; a failure prints the seed and the counterexample.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

process.env.KEYDESK_FUZZ_RUNS ??= '2000';
console.log(`test:full: fuzz suites at ${process.env.KEYDESK_FUZZ_RUNS} cases per property${process.env.KEYDESK_FUZZ_SEED ? `, seed ${process.env.KEYDESK_FUZZ_SEED}` : ''}`);
const result = spawnSync(process.execPath, [join(import.meta.dirname, 'test.mjs')], { stdio: 'inherit' });
process.exit(result.status ?? 1);
