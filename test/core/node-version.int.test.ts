import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNodeRuntimes, nodeRuntime } from '../../scripts/node-runtimes.mjs';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');

/** Runs `node` on an entry from the repository root; resolves with its exit code and output. */
async function runOn(node: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  try {
    const { stdout, stderr } = await run(node, args, { cwd: root, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

// `npm test` installs them before the tests; a lone run installs them here, before the suites ask for them.
ensureNodeRuntimes();

beforeAll(async () => {
  // `npm test` builds before the integration step; a lone run builds here.
  if (!existsSync(join(root, 'out/main/web.js'))) await run(join(root, 'node_modules/.bin/electron-vite'), ['build'], { cwd: root, timeout: 180_000 });
}, 400_000);

describe.skipIf(!nodeRuntime(18))('on Node 18, every entry a person runs with Node', () => {
  // The npm scripts would otherwise install Debian packages and node_modules, then fail in the build tools;
  // the built entries would fail on import.meta.dirname or on their dependencies.
  it.each([
    ['browser mode', ['out/main/web.js']],
    ['the credential_process CLI', ['out/main/cli.js', 'credential-process', '--profile', 'any']],
    ['npm run web', ['scripts/web.mjs']],
    ['npm start', ['scripts/start.mjs']],
    ['npm test', ['scripts/test.mjs']],
    ['npm run test:full', ['scripts/test-full.mjs']],
  ])('%s says in one line which Node it needs, and does nothing else', async (_, args) => {
    const result = await runOn(nodeRuntime(18)!, args);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Keydesk needs Node.js 20.19+ or 22.12+ (this is 18.20.8): install the current LTS from https://nodejs.org/en/download ' +
        'or with your version manager (`nvm install --lts`), then run this again.\n',
    });
  });
});

describe.skipIf(!nodeRuntime(22))('on Node 22', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'keydesk-node22-'));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });
  const env = () => ({ ...process.env, HOME: home, KEYDESK_HOME: join(home, 'data'), KEYDESK_WEB_PORT: '0' });

  it('browser mode starts, serves the app and stops on SIGTERM', async () => {
    const child = spawn(nodeRuntime(22)!, [join(root, 'out/main/web.js')], { cwd: root, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /open (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(output);
        if (match) resolve(match[1]);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then((code) => reject(new Error(`browser mode exited (${code}): ${output}`)));
    });
    const page = await fetch(new URL('/', url));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Keydesk</title>');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).not.toMatch(/needs Node\.js|Error/);
  });

  it('the CLI loads and answers (here: no such profile)', async () => {
    const result = await runOn(nodeRuntime(22)!, ['out/main/cli.js', 'credential-process', '--profile', 'no-such-profile'], env());
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^keydesk: No saved Keydesk credential has the profile name "no-such-profile"\./);
  });
});
