import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdtemp, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Connection } from '../../src-main/core/s3/client';
import { openSession, type S3Session } from '../../src-main/core/s3/session';
import type { TrustEntry } from '../../src-main/core/transport/trust';
import type { RgwInfo } from '../servers/rgw';
import { createRgwUser, type RgwUser } from './rgw-users';
import { trustEntry } from './tls';

/**
 * KEYDESK_TEST_S3=https (the integration-https project) runs the S3 suites against RGW's HTTPS endpoint,
 * trusting its private CA the way a user's "Trust this CA" would: per credential, not process-wide.
 */
export const overHttps = process.env.KEYDESK_TEST_S3 === 'https';

/** Where the S3 suites connect, and the trust that takes. */
export function s3Endpoint(rgw: RgwInfo): { endpoint: string; trust?: TrustEntry[] } {
  if (!overHttps) return { endpoint: rgw.endpoint };
  return { endpoint: rgw.tls.endpoint, trust: [rgwCa(rgw)] };
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

/** A fresh RGW user and a session for it, so test files never see each other's buckets. */
export async function userFixture(rgw: RgwInfo, prefix = 'test'): Promise<UserFixture> {
  const user = await createRgwUser(rgw, prefix);
  const connection: S3Connection = {
    ...s3Endpoint(rgw),
    region: rgw.region,
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
