// `npm test`: everything, in order, failing on any failure. Installs what it needs first, then runs
// typecheck, build checks, unit tests, integration and e2e tests against real servers, and the security lint.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureNodeModules, ensureSystemPackages } from './ensure-deps.mjs';

const root = join(import.meta.dirname, '..');
// The tests run on Node 20; the SDK's notice that its 2027 releases need Node 22 is known (the desktop app
// runs Electron's Node 22) and would otherwise repeat in every test worker's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Outside test-results/: Playwright empties that folder when it starts.
const reports = join(root, 'test-reports');

// Integration and e2e need RGW and a Secret Service: run the whole script inside them once.
if (!process.env.KEYDESK_TEST_RGW) {
  ensureSystemPackages('test');
  ensureNodeModules();
  // Two Keystones start in the background and come up while typecheck and build run.
  const result = spawnSync('bash', [join(root, 'test/servers/with-servers.sh'), process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, KEYDESK_START_KEYSTONES: '1' },
  });
  process.exit(result.status ?? 1);
}

rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
const bin = (name) => join(root, 'node_modules/.bin', name);
const steps = [
  ['typecheck: tsc', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
  ['typecheck: svelte-check', bin('svelte-check'), ['--tsconfig', './tsconfig.json', '--fail-on-warnings', '--output', 'human']],
  ['build: electron-vite', bin('electron-vite'), ['build']],
  ['build: node --check main', process.execPath, ['--check', 'out/main/index.js']],
  ['build: node --check browser mode', process.execPath, ['--check', 'out/main/web.js']],
  ['build: node --check cli', process.execPath, ['--check', 'out/main/cli.js']],
  ['build: preload is one CommonJS file', process.execPath, ['scripts/check-preload.mjs']],
  ['unit', bin('vitest'), ['run', '--project', 'unit', '--reporter=default', '--reporter=json', `--outputFile.json=${reports}/unit.json`]],
  ['integration', bin('vitest'), ['run', '--project', 'integration', '--reporter=default', '--reporter=json', `--outputFile.json=${reports}/integration.json`]],
  ['e2e', bin('playwright'), ['test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: `${reports}/e2e.json` }],
  ['security: electronegativity', process.execPath, ['scripts/electronegativity.mjs']],
];

const results = [];
for (const [name, command, args, env] of steps) {
  console.log(`\n━━ ${name}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  results.push({ name, ok: result.status === 0, seconds: (Date.now() - started) / 1000 });
}

const counts = { passed: 0, failed: 0, skipped: 0 };
for (const file of ['unit', 'integration']) {
  const path = join(reports, `${file}.json`);
  if (!existsSync(path)) continue;
  const report = JSON.parse(readFileSync(path, 'utf8'));
  counts.passed += report.numPassedTests;
  counts.failed += report.numFailedTests;
  counts.skipped += report.numPendingTests + report.numTodoTests;
}
if (existsSync(join(reports, 'e2e.json'))) {
  const { stats } = JSON.parse(readFileSync(join(reports, 'e2e.json'), 'utf8'));
  counts.passed += stats.expected + stats.flaky;
  counts.failed += stats.unexpected;
  counts.skipped += stats.skipped;
}

console.log('\n━━ summary');
for (const step of results) console.log(`${step.ok ? 'ok  ' : 'FAIL'} ${step.name} (${step.seconds.toFixed(1)} s)`);
const failedSteps = results.filter((step) => !step.ok).length;
// A failed step without failed tests (a type error, a build error) must still fail the count.
console.log(`tests: ${counts.passed} passed, ${counts.failed + (failedSteps && !counts.failed ? failedSteps : 0)} failed, ${counts.skipped} skipped`);
process.exit(failedSteps ? 1 : 0);
