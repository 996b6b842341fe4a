import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './rgw';

const run = promisify(execFile);
const here = join(import.meta.dirname, 'swift-s3api');

export interface SwiftUser {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SwiftInfo extends SwiftUser {
  /** The S3 API (s3api middleware in Swift's proxy). */
  endpoint: string;
  region: string;
  /** Another tempauth account (its own buckets); absent with Keystone. */
  other?: SwiftUser;
  /** Tempauth accounts kd0… (`accounts` in startSwift), each with its own buckets. */
  accounts: SwiftUser[];
  /** The Swift dir, where test files claim accounts (claimSwiftAccount). */
  dir: string;
}

export interface SwiftOptions {
  /** Extra tempauth accounts for test isolation. */
  accounts?: number;
  /** S3 keys are Keystone EC2 credentials checked by this Keystone (its identity URL, ending in /v3). */
  keystone?: { url: string; adminPassword: string };
}

/** For `describe.skipIf`: the Swift tests need Debian's swift packages and memcached. */
export function swiftInstalled(): boolean {
  try {
    execFileSync('bash', ['-c', 'command -v memcached && /usr/bin/python3 -c "import swift"'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const SWIFT_MISSING = 'Swift is not installed: run `bash scripts/install-system-deps.sh` as root to run the Swift S3 API tests.';

/**
 * Starts a throw-away Swift 2.30 with its S3 API on free ports (~5 s; its own dir, tempauth users). A port
 * picked as free can be taken before Swift binds it, so a failed start is cleaned up and retried.
 */
export async function startSwift(options: SwiftOptions = {}, attempts = 3): Promise<{ info: SwiftInfo; stop: () => Promise<void> }> {
  for (let attempt = 1; ; attempt++) {
    const scratch = await mkdtemp(join(tmpdir(), 'keydesk-swift-'));
    const env = {
      ...process.env,
      SWIFT_DIR: join(scratch, 'swift'),
      SWIFT_PORT: String(await freePort()),
      SWIFT_OBJECT_PORT: String(await freePort()),
      SWIFT_CONTAINER_PORT: String(await freePort()),
      SWIFT_ACCOUNT_PORT: String(await freePort()),
      SWIFT_MEMCACHE_PORT: String(await freePort()),
      SWIFT_EXTRA_ACCOUNTS: String(options.accounts ?? 0),
      ...(options.keystone ? { SWIFT_AUTH: 'keystone', KS_URL: options.keystone.url.replace(/\/v3\/?$/, ''), KS_ADMIN_PW: options.keystone.adminPassword } : {}),
    };
    const stop = async () => {
      await run('bash', [join(here, 'down.sh')], { env });
      await rm(scratch, { recursive: true, force: true });
    };
    try {
      await run('bash', [join(here, 'up.sh')], { env, timeout: 90_000 });
    } catch (error) {
      await stop();
      if (attempt < attempts) continue;
      throw error;
    }
    return { info: await readSwiftInfo(env.SWIFT_DIR), stop };
  }
}

/** A Swift started by the caller (KEYDESK_TEST_SWIFT = its SWIFT_DIR), reused instead of starting one. */
export async function swiftFromEnv(): Promise<SwiftInfo | undefined> {
  const dir = process.env.KEYDESK_TEST_SWIFT;
  return dir ? readSwiftInfo(dir) : undefined;
}

async function readSwiftInfo(dir: string): Promise<SwiftInfo> {
  const s3 = JSON.parse(await readFile(join(dir, 's3.json'), 'utf8')) as {
    endpoint: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
    otherUsers: SwiftUser[];
    accounts: SwiftUser[];
  };
  return { endpoint: s3.endpoint, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, other: s3.otherUsers[0], accounts: s3.accounts, dir };
}

/**
 * Takes one of the Swift's extra accounts for good: an exclusive mkdir under its dir, so test files in
 * parallel workers never share one. The account name (kd3) serves as the user's uid, a valid bucket prefix.
 */
export function claimSwiftAccount(info: SwiftInfo): SwiftUser & { uid: string } {
  mkdirSync(join(info.dir, 'claims'), { recursive: true });
  for (const account of info.accounts) {
    const uid = account.accessKeyId.split(':')[0];
    try {
      mkdirSync(join(info.dir, 'claims', uid));
    } catch {
      continue;
    }
    return { ...account, uid };
  }
  throw new Error(`All ${info.accounts.length} Swift test accounts are taken: start Swift with more (startSwift's accounts).`);
}
