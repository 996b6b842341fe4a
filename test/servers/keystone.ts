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
    // ~11 s on an idle machine, minutes on a loaded one; the script bounds its own wait for uwsgi.
    await run('bash', [join(here, 'keystone-up.sh')], { env, timeout: 300_000 });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    info: { url: `http://127.0.0.1:${port}/v3`, admin: { username: 'admin', password, project: 'admin', domain: 'Default' } },
    stop,
  };
}

interface SharedKeystone {
  url: string;
  /** Written with up.sh's exit status once the background start finished. */
  status: string;
  log: string;
}

/**
 * The Keystones with-servers.sh started in the background for `npm test` (KEYDESK_TEST_KEYSTONES), once
 * they are up; undefined when there are none, or too few, or their start failed (the caller starts its own).
 */
async function sharedKeystones(count: number): Promise<KeystoneInfo[] | undefined> {
  const raw = process.env.KEYDESK_TEST_KEYSTONES;
  const shared = raw ? (JSON.parse(raw) as SharedKeystone[]) : [];
  if (shared.length < count) return undefined;
  const mine = shared.slice(0, count);
  const deadline = Date.now() + 300_000;
  for (const keystone of mine) {
    let status: string | undefined;
    while ((status = await readFile(keystone.status, 'utf8').catch(() => undefined)) === undefined && Date.now() < deadline) await sleep(200);
    if (status?.trim() !== '0') {
      console.warn(`The shared Keystone at ${keystone.url} did not start (see ${keystone.log}); starting one for this file.`);
      return undefined;
    }
  }
  return mine.map((keystone) => ({ url: keystone.url, admin: { username: 'admin', password: 'adminpw', project: 'admin', domain: 'Default' } }));
}

/**
 * `count` Keystones for a test file: the shared ones when `npm test` started them, otherwise new ones
 * started side by side (stop() stops only those). Tests make their own users and projects, so sharing
 * is safe.
 */
export async function useKeystones(count: number): Promise<{ infos: KeystoneInfo[]; stop: () => Promise<void> }> {
  const shared = await sharedKeystones(count);
  if (shared) return { infos: shared, stop: async () => {} };
  const started = await startTogether(Array.from({ length: count }, () => startKeystone()));
  return { infos: started.map((k) => k.info), stop: async () => void (await Promise.all(started.map((k) => k.stop()))) };
}

/** Starts servers side by side; when one fails the others are stopped again, so none is left running. */
export async function startTogether<T extends { stop: () => Promise<void> }>(starting: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(starting);
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((server) => server.stop()));
    throw failed.reason;
  }
  return started;
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
