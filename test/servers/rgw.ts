import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = import.meta.dirname;

export interface RgwInfo {
  endpoint: string;
  region: string;
  cephDir: string;
  admin: { accessKeyId: string; secretAccessKey: string };
  /** The same gateway over HTTPS with a throw-away private CA (rgw-up.sh RGW_TLS=1). */
  tls: { endpoint: string; caFile: string };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a throw-away Ceph RGW on free ports (several can run side by side). A port picked as free can be
 * taken by another process before the daemons bind it, so a failed start is cleaned up and retried.
 */
export async function startRgw(attempts = 3): Promise<{ info: RgwInfo; stop: () => Promise<void> }> {
  if (!(await which('radosgw'))) {
    throw new Error('Ceph RGW is not installed: run `bash scripts/install-system-deps.sh` as root (.ci/run does).');
  }
  for (let attempt = 1; ; attempt++) {
    const scratch = await mkdtemp(join(tmpdir(), 'keydesk-rgw-'));
    const env = {
      ...process.env,
      CEPH_DIR: join(scratch, 'cluster'),
      RGW_PORT: String(await freePort()),
      MON_V2: String(await freePort()),
      MON_V1: String(await freePort()),
      RGW_TLS: '1',
      RGW_TLS_PORT: String(await freePort()),
    };
    const stop = async () => {
      await run('bash', [join(here, 'rgw-down.sh')], { env });
      await rm(scratch, { recursive: true, force: true });
    };
    try {
      await run('bash', [join(here, 'rgw-up.sh')], { env, timeout: 120_000 });
    } catch (error) {
      await stop();
      if (attempt < attempts) continue;
      throw error;
    }
    const admin = JSON.parse(await readFile(join(env.CEPH_DIR, 'admin.json'), 'utf8')) as { keys: { access_key: string; secret_key: string }[] };
    const info: RgwInfo = {
      endpoint: `http://127.0.0.1:${env.RGW_PORT}`,
      region: 'us-east-1',
      cephDir: env.CEPH_DIR,
      admin: { accessKeyId: admin.keys[0].access_key, secretAccessKey: admin.keys[0].secret_key },
      tls: await tlsInfo(env.CEPH_DIR),
    };
    return { info, stop };
  }
}

/** Written by rgw-up.sh with RGW_TLS=1. */
export async function tlsInfo(cephDir: string): Promise<RgwInfo['tls']> {
  const { endpoint, caFile } = JSON.parse(await readFile(join(cephDir, 'tls.json'), 'utf8')) as RgwInfo['tls'];
  return { endpoint, caFile };
}

/** The RGW this process should use: one started by scripts/test.mjs (env), else undefined. */
export function rgwFromEnv(): RgwInfo | undefined {
  const raw = process.env.KEYDESK_TEST_RGW;
  return raw ? (JSON.parse(raw) as RgwInfo) : undefined;
}

async function which(command: string): Promise<boolean> {
  try {
    await run('bash', ['-c', `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}
