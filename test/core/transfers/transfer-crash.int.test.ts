import { DeleteObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBucket } from '../../../src-main/core/s3/buckets';
import type { S3Connection } from '../../../src-main/core/s3/client';
import type { S3Session } from '../../../src-main/core/s3/session';
import type { ConflictPolicy } from '../../../src-main/core/transfers/types';
import { bundleScript } from '../../helpers/bundle-script';
import { md5File, MiB, tempDir, userFixture } from '../../helpers/s3-fixtures';
import { CRASH_MARKER, type CrashStep, type RunnerOp, type RunnerResult, type RunnerTask } from './crash-task';

/*
 * Transfers killed (SIGKILL) at every step that changes what is on disk or on the server, then resumed by a
 * new process, as after a crash or power cut of the app. Each run holds every kind of transfer at once
 * (upload and download; empty, single-request and multipart/ranged; policies ask, overwrite and keep-both
 * with something in the way), each stopped at the same step when the process is killed. After the resume:
 * the object and the local file hold the right bytes, no half file ever has the target's name, no temp
 * file or journal is left, no multipart upload is left open, every item ends done (never failed, never a
 * conflict with itself), and work that was complete is not transferred again (the resumed process's
 * requests are counted by a proxy). KEYDESK_TEST_FULL=1 (npm run test:full) adds every part of a
 * multipart transfer, more sizes and the skip policy, and runs each transfer alone in its process too.
 */

const FULL = process.env.KEYDESK_TEST_FULL === '1';
const PART_MIB = 5;
const SMALL = 3000;
/** Three parts of PART_MIB: multipart upload, ranged download. */
const LARGE = 11 * MiB + 17;

const rgw = inject('rgw');
let session: S3Session;
let connection: S3Connection;
let bucket: string;
let dir: string;
let runner: string;
let proxy: Server;
/** `METHOD /path?query` of every request through the proxy (runs told apart by their keys' prefixes). */
const requests: string[] = [];

beforeAll(async () => {
  const fixture = await userFixture(rgw, 'crash');
  ({ session, connection } = fixture);
  bucket = `${fixture.user.uid}-c`;
  await createBucket(session, bucket);
  dir = await tempDir('keydesk-crash-');
  runner = await bundleScript(join(import.meta.dirname, 'crash-runner.ts'));
  const upstream = new URL(rgw.endpoint);
  proxy = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  proxy?.close();
  await rm(dir, { recursive: true, force: true });
  if (runner) await rm(dirname(runner), { recursive: true, force: true });
});

interface RunResult extends Partial<RunnerResult> {
  crashedAt?: string;
}

/** Runs the engine in its own process; with crashAt it is killed with SIGKILL once every item has reached that step. */
function runEngine(task: Omit<RunnerTask, 'connection' | 'bucket' | 'partSizeMiB'>): Promise<RunResult> {
  const port = (proxy.address() as AddressInfo).port;
  const full: RunnerTask = { ...task, connection: { ...connection, endpoint: `http://127.0.0.1:${port}` }, bucket, partSizeMiB: PART_MIB };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runner, JSON.stringify(full)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let crashedAt: string | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const marker = new RegExp(`^${CRASH_MARKER} (\\S+)$`, 'm').exec(stdout);
      if (marker && !crashedAt) {
        crashedAt = marker[1];
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (crashedAt) return resolve({ crashedAt });
      if (code !== 0) return reject(new Error(`engine exited with ${code ?? signal}: ${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as RunResult);
    });
  });
}

/** `size etag` of an object; the ETag of these objects is an MD5 of their bytes (or of their parts'). */
async function objectFingerprint(key: string): Promise<string | undefined> {
  try {
    const head = await session.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return `${head.ContentLength} ${head.ETag?.replaceAll('"', '')}`;
  } catch {
    return undefined;
  }
}

/** What objectFingerprint() says of these bytes once uploaded by Keydesk: one PUT, or parts of PART_MIB. */
function fingerprintOf(bytes: Uint8Array): string {
  const partSize = PART_MIB * MiB;
  if (bytes.length <= partSize) return `${bytes.length} ${md5(bytes)}`;
  const parts = Math.ceil(bytes.length / partSize);
  const whole = createHash('md5');
  for (let i = 0; i < parts; i++) whole.update(createHash('md5').update(bytes.subarray(i * partSize, (i + 1) * partSize)).digest());
  return `${bytes.length} ${whole.digest('hex')}-${parts}`;
}

async function keysUnder(prefix: string): Promise<string[]> {
  const listed = await session.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key as string).sort();
}

async function openUploads(prefix: string): Promise<number> {
  return (await session.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }))).Uploads?.length ?? 0;
}

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

interface Scenario {
  kind: 'upload' | 'download';
  size: number;
  conflict: ConflictPolicy;
  /** Something else is at the target before (another object, another local file). */
  existing: boolean;
}

interface Prepared {
  scenario: Scenario;
  work: string;
  /** An upload's object fingerprint (objectFingerprint), a download's MD5. */
  op: RunnerOp;
  prefix: string;
  key: string;
  outDir: string;
  expected: string;
  old: Uint8Array;
}

const SIZES = FULL ? [0, SMALL, PART_MIB * MiB, 2 * PART_MIB * MiB, LARGE] : [0, SMALL, LARGE];
const POLICIES: { conflict: ConflictPolicy; existing: boolean }[] = [
  // 'ask' with nothing in the way: a transfer must never come back as a conflict with itself.
  { conflict: 'ask', existing: false },
  { conflict: 'overwrite', existing: true },
  { conflict: 'keep-both', existing: true },
  ...(FULL ? [{ conflict: 'skip' as const, existing: false }, { conflict: 'overwrite' as const, existing: false }] : []),
];

function scenarios(): Scenario[] {
  const list: Scenario[] = [];
  for (const kind of ['upload', 'download'] as const) {
    for (const size of SIZES) {
      // The empty file asks only (its policies behave as the small file's); the quick run overwrites small files only.
      const policies = size === 0 ? POLICIES.slice(0, 1) : size === LARGE && !FULL ? POLICIES.filter((p) => p.conflict !== 'overwrite') : POLICIES;
      for (const policy of policies) list.push({ kind, size, ...policy });
    }
  }
  return list;
}

/** The steps of a run, in order; part-saved is reached once per part (nth). */
const STEPS: { step: CrashStep; nth?: number }[] = [
  { step: 'recorded' },
  { step: 'journaled' },
  { step: 'temp-created' },
  ...(FULL ? [1, 2, 3].map((nth) => ({ step: 'part-saved' as const, nth })) : [{ step: 'part-saved' as const, nth: 2 }]),
  { step: 'final-recorded' },
  { step: 'sent' },
  { step: 'placed' },
  { step: 'done-recorded' },
  { step: 'reported' },
];

/** Once an item has reached one of these steps its bytes are where they belong: it must not move them again. */
const COMPLETE_AFTER: Record<'upload' | 'download', Set<CrashStep>> = {
  upload: new Set(['sent', 'done-recorded', 'reported']),
  download: new Set(['final-recorded', 'placed', 'done-recorded', 'reported']),
};

/** Whether a transfer of this kind and size goes through the step at all (and the nth time). */
function passes(s: Scenario, step: CrashStep, nth = 1): boolean {
  const parts = Math.max(1, Math.ceil(s.size / (PART_MIB * MiB)));
  if (step === 'part-saved') return parts > 1 && nth <= parts;
  if (step === 'journaled') return s.kind === 'upload' && parts > 1;
  if (step === 'sent') return s.kind === 'upload';
  if (step === 'temp-created' || step === 'placed') return s.kind === 'download';
  return true;
}

let counter = 0;

async function prepare(scenario: Scenario): Promise<Prepared> {
  const n = ++counter;
  const work = join(dir, String(n));
  const prefix = `crash/${n}/`;
  const key = `${prefix}data.bin`;
  const outDir = join(work, 'out');
  await mkdir(outDir, { recursive: true });
  const old = randomBytes(100);
  if (scenario.kind === 'upload') {
    const file = join(work, 'source.bin');
    const body = randomBytes(scenario.size);
    await writeFile(file, body);
    if (scenario.existing) await session.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: old }));
    return { scenario, work, prefix, key, outDir, old, expected: fingerprintOf(body), op: { op: 'upload', key, file, conflict: scenario.conflict } };
  }
  const body = randomBytes(scenario.size);
  await session.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const target = join(outDir, 'data.bin');
  if (scenario.existing) await writeFile(target, old);
  return { scenario, work, prefix, key, outDir, old, expected: md5(body), op: { op: 'download', key, target, root: outDir, conflict: scenario.conflict } };
}

/** Killed mid-way: the target's name holds the old content, nothing, or all of the new, never part of it. */
async function checkNoHalfFile(p: Prepared): Promise<void> {
  if (p.scenario.kind === 'upload') {
    for (const key of await keysUnder(p.prefix)) expect([p.expected, fingerprintOf(p.old)]).toContain(await objectFingerprint(key));
    return;
  }
  for (const name of (await readdir(p.outDir)).filter((n) => !n.startsWith('.'))) expect([p.expected, md5(p.old)]).toContain(await md5File(join(p.outDir, name)));
}

/** After the resume: the right bytes at the right name, the old ones kept where the policy says, nothing else. */
async function checkOutcome(p: Prepared, step: CrashStep, nth: number, item: RunnerResult['items'][number] | undefined, sent: string[]): Promise<void> {
  const { scenario: s } = p;
  const label = `${s.kind} of ${s.size} bytes, ${s.conflict}${s.existing ? ' over an existing target' : ''}`;
  const stopped = passes(s, step, nth) ? step : 'reported';
  if (stopped === 'done-recorded' || stopped === 'reported') expect(item, `${label}: reported done, so not brought back`).toBeUndefined();
  else expect(item?.state, `${label}: done after the resume`).toBe(s.conflict === 'skip' && s.existing ? 'skipped' : 'done');
  if (COMPLETE_AFTER[s.kind].has(stopped)) expect(sent, `${label}: complete, so nothing transferred again`).toEqual([]);
  const keptBoth = s.conflict === 'keep-both' && s.existing;
  if (s.kind === 'upload') {
    const finalKey = keptBoth ? `${p.prefix}data (1).bin` : p.key;
    expect(await keysUnder(p.prefix), label).toEqual(keptBoth ? [p.key, finalKey].sort() : [p.key]);
    expect(await objectFingerprint(finalKey), label).toBe(p.expected);
    if (keptBoth) expect(await objectFingerprint(p.key), label).toBe(fingerprintOf(p.old));
    expect(await openUploads(p.prefix), `${label}: no multipart upload left open`).toBe(0);
    if (item) expect(item.key, label).toBe(finalKey);
  } else {
    const finalName = keptBoth ? 'data (1).bin' : 'data.bin';
    expect((await readdir(p.outDir)).sort(), `${label}: no temp file left`).toEqual(keptBoth ? ['data (1).bin', 'data.bin'] : ['data.bin']);
    expect(await md5File(join(p.outDir, finalName)), label).toBe(p.expected);
    if (keptBoth) expect(await md5File(join(p.outDir, 'data.bin')), label).toBe(md5(p.old));
    if (item) expect(basename(item.localPath), label).toBe(finalName);
  }
}

async function crashAndResume(list: Scenario[], step: CrashStep, nth = 1): Promise<void> {
  const prepared = await Promise.all(list.map(prepare));
  const journalDir = join(dir, `journal-${++counter}`);
  const first = await runEngine({ mode: 'start', journalDir, ops: prepared.map((p) => p.op), crashAt: { step, nth } });
  expect(first.crashedAt, 'killed at the step').toBe(step);
  await Promise.all(prepared.map(checkNoHalfFile));

  // Every request for these keys from now on is the resumed process's: the first one is dead.
  const since = requests.length;
  const second = await runEngine({ mode: 'resume', journalDir, ops: [] });
  const items = second.items ?? [];
  await Promise.all(
    prepared.map((p) => {
      const item = items.find((i) => i.key.startsWith(p.prefix) || i.localPath.startsWith(p.outDir));
      const sent = requests.slice(since).filter((r) => !r.startsWith('HEAD ') && r.includes(`/${bucket}/${encodeURI(p.prefix)}`));
      return checkOutcome(p, step, nth, item, sent);
    }),
  );
  expect(items.filter((i) => i.state !== 'done' && i.state !== 'skipped'), 'nothing failed or waits for a decision').toEqual([]);
  expect(await readdir(journalDir), 'no journal left').toEqual([]);
  // RGW keeps objects in memory: the next run starts from an empty bucket.
  const keys = (await Promise.all(prepared.map((p) => keysUnder(p.prefix)))).flat();
  await Promise.all(keys.map((key) => session.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))));
  await Promise.all(prepared.map((p) => rm(p.work, { recursive: true, force: true })));
}

const stepName = (s: { step: CrashStep; nth?: number }) => `${s.step}${s.nth ? ` #${s.nth}` : ''}`;

// Runs overlap (each has keys, folders and journals of its own): most of a run is waiting for processes.
describe.concurrent('transfers killed at every step, then resumed by a new process', { timeout: 180_000 }, () => {
  it.each(STEPS.map((s) => [stepName(s), s] as const))('every kind of transfer killed at %s', async (_name, s) => {
    await crashAndResume(scenarios(), s.step, s.nth);
  });
});

// Defined only for test:full, so npm test does not list ~290 skipped cases.
if (FULL) {
  describe.concurrent('each transfer alone in its process, killed at every step it goes through', { timeout: 180_000 }, () => {
    const alone = scenarios().flatMap((scenario) => STEPS.filter((s) => passes(scenario, s.step, s.nth)).map((s) => ({ scenario, ...s })));
    it.each(alone.map((a) => [`${a.scenario.kind} ${a.scenario.size} B ${a.scenario.conflict}${a.scenario.existing ? ' (target exists)' : ''}: ${stepName(a)}`, a] as const))('%s', async (_name, a) => {
      await crashAndResume([a.scenario], a.step, a.nth);
    });
  });
}
