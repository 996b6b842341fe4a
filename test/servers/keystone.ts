import { execFile, execFileSync } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, startRgw, type RgwInfo } from './rgw';

const run = promisify(execFile);
const here = import.meta.dirname;

export interface KeystoneInfo {
  /** Identity API base, ending in /v3. */
  url: string;
  admin: { username: string; password: string; project: string; domain: string };
}

/** For `describe.skipIf`: Keystone tests need Debian's keystone package. */
export function keystoneInstalled(): boolean {
  try {
    execFileSync('bash', ['-c', 'command -v keystone-manage && command -v uwsgi_python3'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const KEYSTONE_MISSING =
  'Keystone is not installed: run `apt-get install -y --no-install-recommends keystone` to run the Keystone tests.';

/** Starts a throw-away Keystone on a free port (~11 s); several can run side by side. */
export async function startKeystone(options: { appCredentialsMayManageEc2?: boolean } = {}): Promise<{ info: KeystoneInfo; stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'keydesk-keystone-'));
  const port = await freePort();
  const password = 'adminpw';
  const env = {
    ...process.env,
    KS_DIR: join(dir, 'ks'),
    KS_PORT: String(port),
    KS_ADMIN_PW: password,
    KS_APP_CRED_EC2: options.appCredentialsMayManageEc2 ? '1' : '0',
  };
  const stop = async () => {
    await run('bash', [join(here, 'keystone-down.sh')], { env });
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run('bash', [join(here, 'keystone-up.sh')], { env, timeout: 90_000 });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    info: { url: `http://127.0.0.1:${port}/v3`, admin: { username: 'admin', password, project: 'admin', domain: 'Default' } },
    stop,
  };
}

/**
 * A throw-away RGW that checks S3 signatures against `keystone` (the real OpenStack setup), so a Keystone
 * EC2 credential can be proven on S3. The token cache is off so a deleted credential fails at once.
 */
export async function startRgwWithKeystone(keystone: KeystoneInfo): Promise<{ info: RgwInfo; stop: () => Promise<void> }> {
  const rgw = await startRgw();
  const conf = join(rgw.info.cephDir, 'ceph.conf');
  try {
    // [client.rgw.r] is the last section of the generated ceph.conf, so appending extends it.
    await appendFile(
      conf,
      [
        'rgw s3 auth use keystone = true',
        `rgw keystone url = ${keystone.url.replace(/\/v3$/, '')}`,
        'rgw keystone api version = 3',
        `rgw keystone admin user = ${keystone.admin.username}`,
        `rgw keystone admin password = ${keystone.admin.password}`,
        `rgw keystone admin project = ${keystone.admin.project}`,
        `rgw keystone admin domain = ${keystone.admin.domain}`,
        'rgw keystone accepted roles = member,admin',
        'rgw keystone verify ssl = false',
        'rgw keystone implicit tenants = false',
        'rgw keystone token cache size = 0',
        '',
      ].join('\n'),
    );
    const pidFile = join(rgw.info.cephDir, 'run', 'client.rgw.r.pid');
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    // A graceful stop: a killed gateway leaves its RADOS watches behind, and the restarted one's first
    // request then waits ~30 s for them to time out.
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
    await run('radosgw', ['-n', 'client.rgw.r'], { env: { ...process.env, CEPH_CONF: conf } });
    for (let i = 0; i < 300; i++) {
      if (await fetch(rgw.info.endpoint).then(() => true, () => false)) return rgw;
      await sleep(100);
    }
    throw new Error(`RGW did not come back with Keystone auth; see ${join(rgw.info.cephDir, 'log')}`);
  } catch (error) {
    await rgw.stop();
    throw error;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
