// `npm test`: everything, in order, failing on any failure. Installs what it needs first, then runs
// typecheck, build checks, unit tests, integration and e2e tests against real servers, and the security lint.
// Unit and integration tests run twice: on the Node that runs npm, and on the pinned Node 22
// (scripts/node-runtimes), which Electron 45's main process runs on and the AWS SDK's releases after
// January 2027 require. With KEYDESK_TEST_FULL=1 (`npm run test:full`) the e2e tests run on Node 22 too.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { exitUnlessSupportedNode } from '../src-main/core/node-version.mjs';

exitUnlessSupportedNode();
const { ensureNodeModules, ensureSystemPackages } = await import('./ensure-deps.mjs');
const { ensureNodeRuntimes, nodeRuntime } = await import('./node-runtimes.mjs');
const root = join(import.meta.dirname, '..');
// On Node 20, the SDK's notice that its 2027 releases need Node 22 is known (the suites run on Node 22 too)
// and would otherwise repeat in every test worker's output.
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
const full = process.env.KEYDESK_TEST_FULL === '1';
ensureNodeRuntimes();
const node22 = nodeRuntime(22);
// A step on Node 22: its directory first on PATH too, so what the tests start as `node` runs on it as well.
const onNode22 = (name, script, args, env = {}) =>
  node22
    ? [`${name} (Node 22)`, node22, [join(root, script), ...args], { ...env, PATH: `${dirname(node22)}${delimiter}${process.env.PATH}` }]
    : [`${name} (Node 22)`, undefined, [], { skip: `scripts/node-runtimes pins no Node 22 for ${process.platform}-${process.arch}` }];
const vitestRun = (projects, report) => ['run', ...projects.flatMap((project) => ['--project', project]), '--reporter=default', '--reporter=json', `--outputFile.json=${reports}/${report}.json`];
// The S3 suites run over HTTP (integration), again over HTTPS with RGW's private CA (integration-https), and
// against OpenStack Swift's S3 API (integration-swift, ~1 min more). On Node 22 the Swift project and the
// contract fuzz (2.5 min) run in test:full only: they check a second server and Keydesk's own validation,
// not the runtime.
const integration = ['integration', 'integration-https', 'integration-swift'];
const integrationNode22 = full ? integration : integration.filter((project) => project !== 'integration-swift');
const steps = [
  ['typecheck: tsc', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
  ['typecheck: svelte-check', bin('svelte-check'), ['--tsconfig', './tsconfig.json', '--fail-on-warnings', '--output', 'human']],
  ['build: electron-vite', bin('electron-vite'), ['build']],
  ['build: node --check main', process.execPath, ['--check', 'out/main/index.js']],
  ['build: node --check browser mode', process.execPath, ['--check', 'out/main/web.js']],
  ['build: node --check cli', process.execPath, ['--check', 'out/main/cli.js']],
  ['build: preload is one CommonJS file', process.execPath, ['scripts/check-preload.mjs']],
  ['unit', bin('vitest'), vitestRun(['unit'], 'unit')],
  onNode22('unit', 'node_modules/vitest/vitest.mjs', vitestRun(['unit'], 'unit-node22')),
  ['integration', bin('vitest'), vitestRun(integration, 'integration')],
  onNode22('integration', 'node_modules/vitest/vitest.mjs', vitestRun(integrationNode22, 'integration-node22'), full ? {} : { KEYDESK_SKIP_CONTRACT_FUZZ: '1' }),
  ['e2e', bin('playwright'), ['test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: `${reports}/e2e.json` }],
  ...(full
    ? [onNode22('e2e', 'node_modules/@playwright/test/cli.js', ['test', '--project=browser', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: `${reports}/e2e-node22.json` })]
    : []),
  ['security: electronegativity', process.execPath, ['scripts/electronegativity.mjs']],
];

const results = [];
for (const [name, command, args, { skip, ...env } = {}] of steps) {
  console.log(`\n━━ ${name}`);
  if (skip) {
    console.log(`skipped: ${skip}`);
    results.push({ name, skip });
    continue;
  }
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  results.push({ name, ok: result.status === 0, seconds: (Date.now() - started) / 1000 });
}

const counts = { passed: 0, failed: 0, skipped: 0 };
for (const file of ['unit', 'unit-node22', 'integration', 'integration-node22']) {
  const path = join(reports, `${file}.json`);
  if (!existsSync(path)) continue;
  const report = JSON.parse(readFileSync(path, 'utf8'));
  counts.passed += report.numPassedTests;
  counts.failed += report.numFailedTests;
  counts.skipped += report.numPendingTests + report.numTodoTests;
}
for (const file of ['e2e', 'e2e-node22']) {
  const path = join(reports, `${file}.json`);
  if (!existsSync(path)) continue;
  const { stats } = JSON.parse(readFileSync(path, 'utf8'));
  counts.passed += stats.expected + stats.flaky;
  counts.failed += stats.unexpected;
  counts.skipped += stats.skipped;
}

console.log('\n━━ summary');
for (const step of results) {
  console.log(step.skip ? `skip ${step.name}: ${step.skip}` : `${step.ok ? 'ok  ' : 'FAIL'} ${step.name} (${step.seconds.toFixed(1)} s)`);
}
const failedSteps = results.filter((step) => !step.skip && !step.ok).length;
// A failed step without failed tests (a type error, a build error) must still fail the count.
console.log(`tests: ${counts.passed} passed, ${counts.failed + (failedSteps && !counts.failed ? failedSteps : 0)} failed, ${counts.skipped} skipped`);
process.exit(failedSteps ? 1 : 0);
