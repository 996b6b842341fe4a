import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdtemp, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Connection } from '../../src-main/core/s3/client';
import { openSession, type S3Session } from '../../src-main/core/s3/session';
import type { TrustEntry } from '../../src-main/core/transport/trust';
import { inject } from 'vitest';
import type { RgwInfo } from '../servers/rgw';
import { claimSwiftAccount, SWIFT_MISSING, type SwiftInfo } from '../servers/swift';
import { createRgwUser, type RgwUser } from './rgw-users';
import { trustEntry } from './tls';

/**
 * Which server the S3 suites (listing, transfers, share links, errors) run against:
 * - KEYDESK_TEST_S3=https (the integration-https project): RGW's HTTPS endpoint, trusting its private CA
 *   the way a user's "Trust this CA" would: per credential, not process-wide;
 * - KEYDESK_TEST_S3=swift (integration-swift): OpenStack Swift's S3 API, a second, independent S3
 *   implementation (test/setup/global-swift.ts), one tempauth account per fixture instead of an RGW user;
 * - otherwise RGW over plain HTTP.
 * On Swift, the RGW passed in (`inject('rgw')`) is not provided and not used.
 */
export const overHttps = process.env.KEYDESK_TEST_S3 === 'https';
export const onSwift = process.env.KEYDESK_TEST_S3 === 'swift';

function swift(): SwiftInfo {
  const info = inject('swift');
  if (!info) throw new Error(SWIFT_MISSING);
  return info;
}

/** Where the S3 suites connect, and the trust that takes. */
export function s3Endpoint(rgw: RgwInfo): { endpoint: string; trust?: TrustEntry[] } {
  if (onSwift) return { endpoint: swift().endpoint };
  if (!overHttps) return { endpoint: rgw.endpoint };
  return { endpoint: rgw.tls.endpoint, trust: [rgwCa(rgw)] };
}

export function s3Region(rgw: RgwInfo): string {
  return onSwift ? swift().region : rgw.region;
}

/** A user with buckets of its own: a fresh RGW user, or an unused Swift account. */
export async function s3User(rgw: RgwInfo, prefix = 'test'): Promise<RgwUser> {
  return onSwift ? claimSwiftAccount(swift()) : createRgwUser(rgw, prefix);
}

/** RGW's private CA as a stored "Trust this CA" choice for 127.0.0.1. */
export function rgwCa(rgw: RgwInfo): TrustEntry {
  return trustEntry('ca', new URL(rgw.tls.endpoint).hostname, readFileSync(rgw.tls.caFile));
}

export interface UserFixture {
  user: RgwUser;
  connection: S3Connection;
  session: S3Session;
}

/** A user of its own (s3User) and a session for it, so test files never see each other's buckets. */
export async function userFixture(rgw: RgwInfo, prefix = 'test'): Promise<UserFixture> {
  const user = await s3User(rgw, prefix);
  const connection: S3Connection = {
    ...s3Endpoint(rgw),
    region: s3Region(rgw),
    accessKeyId: user.accessKeyId,
    secretAccessKey: user.secretAccessKey,
    forcePathStyle: true,
    checksums: 'when-required',
  };
  return { user, connection, session: openSession(connection) };
}

export function tempDir(name = 'keydesk-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), name));
}

/** A file of random bytes written in 1 MiB blocks. */
export async function randomFile(path: string, size: number): Promise<string> {
  const handle = await open(path, 'w');
  try {
    for (let written = 0; written < size; ) {
      const block = randomBytes(Math.min(1024 * 1024, size - written));
      await handle.write(block);
      written += block.length;
    }
  } finally {
    await handle.close();
  }
  return path;
}

export async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export const MiB = 1024 * 1024;
