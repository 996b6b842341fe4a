import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './rgw';

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
