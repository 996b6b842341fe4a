import { execFile, execFileSync } from 'node:child_process';
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
  /** Another tempauth account (its own buckets). */
  other: SwiftUser;
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
export async function startSwift(attempts = 3): Promise<{ info: SwiftInfo; stop: () => Promise<void> }> {
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
    const s3 = JSON.parse(await readFile(join(env.SWIFT_DIR, 's3.json'), 'utf8')) as {
      endpoint: string;
      region: string;
      accessKeyId: string;
      secretAccessKey: string;
      otherUsers: SwiftUser[];
    };
    return {
      info: { endpoint: s3.endpoint, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, other: s3.otherUsers[0] },
      stop,
    };
  }
}
