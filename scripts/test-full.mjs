// `npm run test:full`: everything `npm test` runs, with the slow settings — the property-based (fuzz)
// suites generate KEYDESK_FUZZ_RUNS cases per property (2000 unless set) instead of `npm test`'s few
// hundred. Set KEYDESK_FUZZ_SEED to explore other inputs; a failure prints the seed and the counterexample.
// KEYDESK_TEST_FULL=1 also runs the exhaustive crash tests of transfers: every transfer alone in its process,
// killed at every step and every part, with more sizes and policies (about 300 cases, ~20 min on 2 cores),
// the network-fault suite with larger files and a longer listing (test/core/transfers/faults.int.test.ts),
// and the e2e tests a second time with browser mode on Node 22.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { exitUnlessSupportedNode } from '../src-main/core/node-version.mjs';

exitUnlessSupportedNode();
process.env.KEYDESK_FUZZ_RUNS ??= '2000';
process.env.KEYDESK_TEST_FULL ??= '1';
console.log(
  `test:full: fuzz suites at ${process.env.KEYDESK_FUZZ_RUNS} cases per property${process.env.KEYDESK_FUZZ_SEED ? `, seed ${process.env.KEYDESK_FUZZ_SEED}` : ''}; ` +
    `exhaustive transfer crash tests and e2e on Node 22 ${process.env.KEYDESK_TEST_FULL === '1' ? 'on' : 'off'}`,
);
const result = spawnSync(process.execPath, [join(import.meta.dirname, 'test.mjs')], { stdio: 'inherit' });
process.exit(result.status ?? 1);
