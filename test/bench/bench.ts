/**
 * Keydesk's transfer engine against the aws CLI and rclone, side by side on one fresh RGW. Run with
 * `npm run bench` (scripts/bench.mjs bundles keydesk-runner.ts and imports this file through Vite).
 * Sizes: BENCH_FILE_MB (default 1024), BENCH_SMALL_FILES (1000), BENCH_LIST_OBJECTS (10000); BENCH_RUNS (3).
 * BENCH_ROWS (e.g. "big,small,list") picks row groups, for profiling one of them; BENCH_CPU_PROF=DIR runs
 * the Keydesk runner under `node --cpu-prof` and keeps the .cpuprofile files in DIR.
 *
 * Noise: both ends share the machine's cores, and other work on the machine shows up as run-to-run spread.
 * So every measurement is repeated BENCH_RUNS times with the tools interleaved (each round starts with the
 * next tool, so each one runs first, second and last equally often), min and median are both printed,
 * ratios use the min (the run least disturbed), and the load average is printed at every step.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os, { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createBucket } from '../../src-main/core/s3/buckets';
import type { S3Connection } from '../../src-main/core/s3/client';
import { deleteObjects } from '../../src-main/core/s3/objects';
import { runPool } from '../../src-main/core/s3/pool';
import { openSession, type S3Session } from '../../src-main/core/s3/session';
import type { TransferSettings } from '../../src-main/core/vault/metadata-store';
import { createRgwUser } from '../helpers/rgw-users';
import { startRgw, type RgwInfo } from '../servers/rgw';
import type { RunnerTask } from './keydesk-runner';

const run = promisify(execFile);
const FILE_MB = Number(process.env.BENCH_FILE_MB ?? 1024);
const SMALL_FILES = Number(process.env.BENCH_SMALL_FILES ?? 1000);
const LIST_OBJECTS = Number(process.env.BENCH_LIST_OBJECTS ?? 10_000);
/** Each measurement is repeated, for every tool alike (loopback timings are noisy): min and median are reported. */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ROWS = new Set((process.env.BENCH_ROWS ?? 'big,small,list').split(','));
/** The engine settings under test (what a credential's TransferSettings would hold). */
const SETTINGS: TransferSettings = {
  partSizeMiB: Number(process.env.BENCH_PART_MIB ?? 16),
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 8),
};

type Tool = 'keydesk' | 'aws' | 'rclone';
const TOOLS: Tool[] = ['keydesk', 'aws', 'rclone'];
/** Round r starts with tool r mod 3: order effects (page cache, RGW state, a background burst) hit all alike. */
const toolsFor = (round: number): Tool[] => TOOLS.map((_, i) => TOOLS[(i + round) % TOOLS.length]);

interface Timing {
  seconds: number;
  /** All runs' times, for the median (set on the combined timing). */
  samples?: number[];
  /** Keydesk only: the operation without process start and SDK loading (what the running app pays). */
  engineSeconds?: number;
  /** The process's CPU time (user + system), less sensitive to other load than wall time. */
  cpuSeconds?: number;
  /** Keydesk listings only: first page without process start / SDK load. */
  firstPageSeconds?: number;
  firstOutputSeconds?: number;
  maxRssKiB?: number;
  /** 1-minute load average just before the run (other work on the machine). */
  load1?: number;
  /** Combined timing: every run's load. */
  loads?: number[];
}

type Samples = Partial<Record<Tool, Timing[]>>;
interface Row {
  name: string;
  bytes?: number;
  times: Record<Tool, Timing>;
}

interface Context {
  rgw: RgwInfo;
  connection: S3Connection;
  session: S3Session;
  bucket: string;
  work: string;
  runner: string;
  awsConfig: string;
}

export async function main(runner: string): Promise<void> {
  const { info: rgw, stop } = await startRgw();
  const work = await mkdtemp(join(tmpdir(), 'keydesk-bench-'));
  try {
    const user = await createRgwUser(rgw, 'bench');
    const connection: S3Connection = { endpoint: rgw.endpoint, region: rgw.region, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey, forcePathStyle: true, checksums: 'when-required' };
    const session = openSession(connection);
    const bucket = `${user.uid}-bench`;
    await createBucket(session, bucket);
    const awsConfig = join(work, 'aws-config');
    await writeFile(awsConfig, '[default]\ns3 =\n  addressing_style = path\n');
    const ctx: Context = { rgw, connection, session, bucket, work, runner, awsConfig };
    console.log(`RGW ${rgw.endpoint}; Keydesk settings: part ${SETTINGS.partSizeMiB} MiB, concurrency ${SETTINGS.concurrency}`);
    await printVersions();

    const rows: Row[] = [];
    const began = performance.now();
    console.log(`Load average at start (1/5/15 min): ${load()}; ${RUNS} run(s) per tool and operation, tools interleaved`);
    if (ROWS.has('big')) {
      const bigFile = await randomFile(join(work, 'big.bin'), FILE_MB * 1024 * 1024);
      const bigMd5 = await md5File(bigFile);
      const up: Samples = {};
      const down: Samples = {};
      await warmUp(ctx);
      for (let round = 0; round < RUNS; round++) {
        for (const tool of toolsFor(round)) {
          const key = `big-${tool}.bin`;
          const target = join(work, `big-${tool}.out`);
          add(up, tool, await timed(ctx, tool, 'upload', bigFile, key));
          add(down, tool, await timed(ctx, tool, 'download', target, key));
          if ((await md5File(target)) !== bigMd5) throw new Error(`${tool} downloaded different bytes`);
          await rm(target);
          await clean(ctx, { keys: [key] });
        }
      }
      rows.push({ name: `upload ${FILE_MB} MiB file`, bytes: FILE_MB * 1024 * 1024, times: combine(up) });
      rows.push({ name: `download ${FILE_MB} MiB file`, bytes: FILE_MB * 1024 * 1024, times: combine(down) });
      await rm(bigFile);
    }

    if (ROWS.has('small')) {
      const smallDir = join(work, 'small');
      const smallBytes = await smallFiles(smallDir, SMALL_FILES);
      const smallUp: Samples = {};
      const smallDown: Samples = {};
      if (!ROWS.has('big')) await warmUp(ctx);
      for (let round = 0; round < RUNS; round++) {
        for (const tool of toolsFor(round)) {
          const target = join(work, `small-${tool}`);
          await mkdir(target);
          add(smallUp, tool, await timed(ctx, tool, 'upload-dir', smallDir, `small-${tool}/`));
          add(smallDown, tool, await timed(ctx, tool, 'download-dir', target, `small-${tool}/`));
          const count = (await readdir(target)).length;
          if (count !== SMALL_FILES) throw new Error(`${tool} downloaded ${count} of ${SMALL_FILES} small files`);
          await rm(target, { recursive: true });
          await clean(ctx, { folders: [`small-${tool}/`] });
        }
      }
      rows.push({ name: `upload ${SMALL_FILES} small files`, bytes: smallBytes, times: combine(smallUp) });
      rows.push({ name: `download ${SMALL_FILES} small files`, bytes: smallBytes, times: combine(smallDown) });
    }

    if (ROWS.has('list')) {
      await seedListing(ctx);
      const list: Samples = {};
      const firstPage: Samples = {};
      for (let round = 0; round < RUNS; round++) {
        for (const tool of toolsFor(round)) {
          const timing = await timed(ctx, tool, 'list', '', 'list/');
          add(list, tool, timing);
          add(firstPage, tool, { seconds: timing.firstOutputSeconds ?? NaN, load1: timing.load1, engineSeconds: timing.firstPageSeconds });
        }
      }
      rows.push({ name: `list ${LIST_OBJECTS} objects: full`, times: combine(list) });
      rows.push({ name: `list ${LIST_OBJECTS} objects: first page`, times: combine(firstPage) });
    }

    printTable(rows);
    const rss = Math.max(...rows.flatMap((r) => (r.times.keydesk.maxRssKiB ? [r.times.keydesk.maxRssKiB] : [])));
    console.log(`\nKeydesk peak RSS (largest of its runs): ${(rss / 1024).toFixed(0)} MiB`);
    console.log("Per operation: peak RSS; Keydesk's time without process start / SDK load (the part a running app pays) and its CPU time, in its fastest run:");
    for (const { name, times } of rows) {
      const k = times.keydesk;
      if (!k.maxRssKiB && k.engineSeconds !== undefined) console.log(`  ${name.padEnd(34)}          ${k.engineSeconds.toFixed(2)} s`);
      if (k.maxRssKiB) console.log(`  ${name.padEnd(34)} ${(k.maxRssKiB / 1024).toFixed(0).padStart(4)} MiB  ${k.engineSeconds?.toFixed(2)} s  cpu ${k.cpuSeconds?.toFixed(2)} s`);
    }
    const loads = rows.flatMap((r) => TOOLS.flatMap((t) => r.times[t].loads ?? []));
    console.log(`\nLoad average (1 min) seen before each measurement: min ${Math.min(...loads).toFixed(2)}, max ${Math.max(...loads).toFixed(2)}; at end ${load()}; ${os.cpus().length} CPU(s); bench took ${((performance.now() - began) / 60_000).toFixed(1)} min`);
  } finally {
    await rm(work, { recursive: true, force: true });
    await stop();
  }
}

/** One operation by one tool, timed from spawn to exit (and to its first output, for listings). */
async function timed(ctx: Context, tool: Tool, op: RunnerTask['op'], local: string, key: string): Promise<Timing> {
  const { command, args, env } = commandFor(ctx, tool, op, local, key);
  const load1 = loadavg()[0];
  const cpuFile = join(ctx.work, 'cpu-time');
  const started = performance.now();
  let firstOutput: number | undefined;
  let stdout = '';
  let stderr = '';
  // GNU time reports every tool's CPU alike (user + system of the process and the children it waited for).
  const child = spawn('/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, command, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk: Buffer) => {
    firstOutput ??= performance.now();
    // Listings print thousands of lines: keep only the tail, where the runner's JSON report is.
    stdout = (stdout + chunk.toString()).slice(-4096);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`${tool} ${op} failed (exit ${code}): ${stderr.slice(-2000)}`);
  const [user, system] = (await readFile(cpuFile, 'utf8')).trim().split('\n').at(-1)!.split(' ').map(Number);
  const timing: Timing = { seconds, load1, cpuSeconds: user + system, firstOutputSeconds: firstOutput === undefined ? undefined : (firstOutput - started) / 1000 };
  if (tool === 'keydesk') Object.assign(timing, JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Pick<Timing, 'maxRssKiB' | 'engineSeconds' | 'firstPageSeconds'>);
  process.stdout.write(`  ${tool.padEnd(7)} ${op.padEnd(12)} ${seconds.toFixed(2).padStart(7)} s   load ${load1.toFixed(2)}   cpu ${timing.cpuSeconds!.toFixed(2)} s\n`);
  return timing;
}

function commandFor(ctx: Context, tool: Tool, op: RunnerTask['op'], local: string, key: string): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const { AWS_CA_BUNDLE: _unused, ...base } = process.env;
  const remoteAws = `s3://${ctx.bucket}/${key}`;
  const remoteRclone = `kd:${ctx.bucket}/${key}`;
  switch (tool) {
    case 'keydesk': {
      const task: RunnerTask = { op, connection: ctx.connection, settings: SETTINGS, bucket: ctx.bucket, key, local };
      const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
      return { command: process.execPath, args: [...profile, ctx.runner, JSON.stringify(task)], env: base };
    }
    case 'aws': {
      const env = { ...base, AWS_ACCESS_KEY_ID: ctx.connection.accessKeyId, AWS_SECRET_ACCESS_KEY: ctx.connection.secretAccessKey, AWS_DEFAULT_REGION: ctx.rgw.region, AWS_CONFIG_FILE: ctx.awsConfig, AWS_SHARED_CREDENTIALS_FILE: join(ctx.work, 'none') };
      const common = ['--endpoint-url', ctx.rgw.endpoint, '--no-progress', '--only-show-errors'];
      const args = {
        upload: ['s3', 'cp', local, remoteAws, ...common],
        download: ['s3', 'cp', remoteAws, local, ...common],
        'upload-dir': ['s3', 'cp', local, remoteAws, '--recursive', ...common],
        'download-dir': ['s3', 'cp', remoteAws, local, '--recursive', ...common],
        list: ['s3', 'ls', remoteAws, '--endpoint-url', ctx.rgw.endpoint],
      }[op];
      return { command: '/usr/bin/aws', args, env };
    }
    case 'rclone': {
      const env = {
        ...base,
        RCLONE_CONFIG: join(ctx.work, 'rclone.conf'),
        RCLONE_CONFIG_KD_TYPE: 's3',
        RCLONE_CONFIG_KD_PROVIDER: 'Ceph',
        RCLONE_CONFIG_KD_ACCESS_KEY_ID: ctx.connection.accessKeyId,
        RCLONE_CONFIG_KD_SECRET_ACCESS_KEY: ctx.connection.secretAccessKey,
        RCLONE_CONFIG_KD_ENDPOINT: ctx.rgw.endpoint,
      };
      const args = {
        upload: ['copyto', local, remoteRclone],
        download: ['copyto', remoteRclone, local],
        'upload-dir': ['copy', local, remoteRclone],
        'download-dir': ['copy', remoteRclone, local],
        list: ['lsf', remoteRclone],
      }[op];
      return { command: 'rclone', args, env };
    }
  }
}

function add(samples: Samples, tool: Tool, timing: Timing): void {
  (samples[tool] ??= []).push(timing);
}

/** The fastest run (its engine time and first output too), every run's time for the median, the largest RSS. */
function combine(samples: Samples): Record<Tool, Timing> {
  const result = {} as Record<Tool, Timing>;
  for (const tool of TOOLS) {
    const runs = samples[tool] ?? [];
    const fastest = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const rss = Math.max(0, ...runs.map((r) => r.maxRssKiB ?? 0));
    result[tool] = { ...fastest, samples: runs.map((r) => r.seconds), maxRssKiB: rss || undefined, loads: runs.flatMap((r) => (r.load1 === undefined ? [] : [r.load1])) };
  }
  return result;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function load(): string {
  return loadavg().map((l) => l.toFixed(2)).join(' / ');
}

/** RGW creates its data pool on the first object write (PG peering takes seconds): not part of any row. */
async function warmUp(ctx: Context): Promise<void> {
  const warm = await randomFile(join(ctx.work, 'warm.bin'), 64 * 1024 * 1024);
  for (const tool of TOOLS) await timed(ctx, tool, 'upload', warm, 'warm.bin');
  await rm(warm);
  await clean(ctx, { keys: ['warm.bin'] });
}

async function clean(ctx: Context, selection: { keys?: string[]; folders?: string[] }): Promise<void> {
  await deleteObjects(ctx.session, ctx.bucket, selection);
  // Deleted data stays in the memstore OSD until RGW's garbage collector runs: free it before the next row.
  await run('radosgw-admin', ['--conf', join(ctx.rgw.cephDir, 'ceph.conf'), 'gc', 'process', '--include-all']);
}

async function seedListing(ctx: Context): Promise<void> {
  const keys = Array.from({ length: LIST_OBJECTS }, (_, i) => `list/object-${String(i).padStart(6, '0')}`);
  await runPool(keys, 32, async (key) => {
    await ctx.session.client.send(new PutObjectCommand({ Bucket: ctx.bucket, Key: key, Body: new Uint8Array(0), ContentLength: 0 }));
  });
}

async function randomFile(path: string, size: number): Promise<string> {
  const handle = await open(path, 'w');
  const block = randomBytes(4 * 1024 * 1024);
  try {
    // Each 4 MiB block differs (a counter in its first bytes), so no block-level dedupe or compression helps anyone.
    for (let offset = 0; offset < size; offset += block.length) {
      block.writeUInt32BE(offset / block.length, 0);
      await handle.write(block, 0, Math.min(block.length, size - offset));
    }
  } finally {
    await handle.close();
  }
  return path;
}

async function smallFiles(dir: string, count: number): Promise<number> {
  await mkdir(dir);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const size = 1024 + ((i * 7919) % (63 * 1024)); // 1–64 KiB
    await writeFile(join(dir, `file-${String(i).padStart(4, '0')}.bin`), randomBytes(size));
    total += size;
  }
  return total;
}

async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function printVersions(): Promise<void> {
  const aws = (await run('/usr/bin/aws', ['--version'])).stdout.trim();
  const rclone = (await run('rclone', ['version'])).stdout.split('\n')[0];
  console.log(`Node ${process.version}; ${aws}; ${rclone}`);
}

function printTable(rows: Row[]): void {
  const med = (t: Timing) => median(t.samples ?? [t.seconds]);
  const cell = (t: Timing, bytes?: number) =>
    (bytes ? `${t.seconds.toFixed(2)} / ${med(t).toFixed(2)} s ${(bytes / 1e6 / t.seconds).toFixed(0).padStart(4)} MB/s` : `${t.seconds.toFixed(2)} / ${med(t).toFixed(2)} s`).padStart(26);
  const ratio = (other: number, mine: number) => `${(other / mine).toFixed(2)}×`.padStart(8);
  console.log(`\n${'operation'.padEnd(34)}${'keydesk'.padStart(26)}${'aws CLI'.padStart(26)}${'rclone'.padStart(26)}${'vs aws'.padStart(8)}${'vs rcl'.padStart(8)}${'med aws'.padStart(9)}${'med rcl'.padStart(9)}`);
  for (const { name, bytes, times } of rows) {
    const { keydesk: k, aws: a, rclone: r } = times;
    console.log(`${name.padEnd(34)}${cell(k, bytes)}${cell(a, bytes)}${cell(r, bytes)}${ratio(a.seconds, k.seconds)}${ratio(r.seconds, k.seconds)} ${ratio(med(a), med(k))}${ratio(med(r), med(k))}`);
  }
  console.log(`Cells: min / median of ${RUNS} run(s), MB/s from the min. Ratios: the other tool's time ÷ Keydesk's (above 1 = Keydesk faster), from the mins, then from the medians. Times include process start.`);
}
