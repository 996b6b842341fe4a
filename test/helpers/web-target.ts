import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebServer, type ServerLimits } from '../../src-main/web/server';
import { blockNetworkEgress } from './no-egress';
import { watchProcessErrors } from './process-errors';

/** What the renderer folder of a target server links to, and must never be served. */
export const OUTSIDE_MARKER = 'not for the page: outside the renderer folder';

/**
 * Browser mode started inside the test process for attacks on it: a throw-away KEYDESK_HOME and HOME, no
 * network egress, a renderer folder holding links that lead outside it, short timeouts, and a record of
 * anything that would have ended the process.
 */
export async function startTarget(limits: Partial<ServerLimits> = { headersTimeoutMs: 500, requestTimeoutMs: 1_000, checkIntervalMs: 100 }) {
  const home = await mkdtemp(join(tmpdir(), 'keydesk-target-'));
  const saved = { KEYDESK_HOME: process.env.KEYDESK_HOME, HOME: process.env.HOME };
  process.env.KEYDESK_HOME = join(home, 'data');
  process.env.HOME = join(home, 'home');
  const unblock = blockNetworkEgress();
  const watch = watchProcessErrors();
  const rendererDir = join(home, 'renderer');
  await mkdir(rendererDir);
  await mkdir(join(home, 'outside'));
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Keydesk</title>');
  await writeFile(join(home, 'outside', 'secret.txt'), OUTSIDE_MARKER);
  await symlink(join(home, 'outside', 'secret.txt'), join(rendererDir, 'linked.txt'));
  await symlink(join(home, 'outside'), join(rendererDir, 'linked-dir'));
  const server = await startWebServer({ rendererDir, cliScript: '/opt/keydesk/cli.js', version: '9.9.9', limits });
  const url = new URL(server.url);
  const port = Number(url.port);
  return {
    port,
    token: new URLSearchParams(url.hash.slice(1)).get('token')!,
    origin: `http://127.0.0.1:${port}`,
    errors: watch.errors,
    async stop() {
      await server.close();
      watch.stop();
      unblock();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await rm(home, { recursive: true, force: true });
    },
  };
}

export type Target = Awaited<ReturnType<typeof startTarget>>;
