/**
 * Keydesk's transfer engine against the aws CLI and rclone, side by side on one fresh RGW. Run with
 * `npm run bench` (scripts/bench.mjs bundles keydesk-runner.ts and imports this file through Vite).
 * Keydesk runs twice per round: with its own HTTP client (http1.ts) and with undici behind the same
 * signing and parallelism, so the two clients are compared row for row. The peers run with their
 * defaults and tuned to Keydesk's concurrency and part size. Two calibrations bound the large download:
 * parallel ranged curl to /dev/null (what the server delivers, no client work) and dd with fdatasync
 * (what the disk takes, for the same bytes made durable).
 * Sizes: BENCH_FILE_MB (default 1024), BENCH_SMALL_FILES (1000), BENCH_LIST_OBJECTS (10000); BENCH_RUNS (3).
 * BENCH_ROWS (e.g. "big,small,list") picks row groups and BENCH_TOOLS (e.g. "keydesk,curl") tools, for
 * profiling one of them; BENCH_CPU_PROF=DIR runs the Keydesk runner under `node --cpu-prof` and keeps
 * the .cpuprofile files in DIR. BENCH_DIR is where the files are written (default: the OS temp folder);
 * on tmpfs (/dev/shm) syncing is free, which compares the clients without Keydesk's durability sync.
 *
 * Noise: both ends share the machine's cores, and other work on the machine shows up as run-to-run spread.
 * So every measurement is repeated BENCH_RUNS times with the tools interleaved (each round starts with the
 * next tool, so each one runs first, second and last equally often), min and median are both printed,
 * ratios use the min (the run least disturbed), and the load average is printed at every step.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
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

const ALL_TOOLS = ['keydesk', 'keydesk-undici', 'aws', 'aws-tuned', 'rclone', 'rclone-tuned', 'curl', 'disk'] as const;
type Tool = (typeof ALL_TOOLS)[number];
const TOOLS: Tool[] = process.env.BENCH_TOOLS ? ALL_TOOLS.filter((t) => process.env.BENCH_TOOLS!.split(',').includes(t)) : [...ALL_TOOLS];
const PEERS: Tool[] = ['aws', 'aws-tuned', 'rclone', 'rclone-tuned'];
const LABELS: Record<Tool, string> = { keydesk: 'Keydesk', 'keydesk-undici': 'Keydesk+undici', aws: 'aws CLI', 'aws-tuned': 'aws tuned', rclone: 'rclone', 'rclone-tuned': 'rclone tuned', curl: 'curl ceiling', disk: 'disk ceiling' };
/** Parallel ranged GETs of the ceiling calibration: Keydesk's own range size and parallelism. */
const CEILING_RANGE = 16 * 1024 * 1024;
const CEILING_PARALLEL = Number(process.env.BENCH_CEILING_PARALLEL ?? 8);
/** The calibrations only download the large object: curl from the server, dd to the disk. */
const CALIBRATIONS: Tool[] = ['curl', 'disk'];
const runsOp = (tool: Tool, op: RunnerTask['op']) => !CALIBRATIONS.includes(tool) || op === 'download';
/** Round r starts with tool r: order effects (page cache, RGW state, a background burst) hit all alike. */
const toolsFor = (round: number, op: RunnerTask['op']): Tool[] => TOOLS.map((_, i) => TOOLS[(i + round) % TOOLS.length]).filter((t) => runsOp(t, op));

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
  times: Partial<Record<Tool, Timing>>;
}

interface Context {
  rgw: RgwInfo;
  connection: S3Connection;
  session: S3Session;
  bucket: string;
  work: string;
  runner: string;
  awsConfig: string;
  awsTunedConfig: string;
  /** The large object's size, for the calibration's ranges. */
  bigSize: number;
}

export async function main(runner: string): Promise<void> {
  const { info: rgw, stop } = await startRgw();
  const work = await mkdtemp(join(process.env.BENCH_DIR ?? tmpdir(), 'keydesk-bench-'));
  try {
    const user = await createRgwUser(rgw, 'bench');
    const connection: S3Connection = { endpoint: rgw.endpoint, region: rgw.region, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey, forcePathStyle: true, checksums: 'when-required' };
    const session = openSession(connection);
    const bucket = `${user.uid}-bench`;
    await createBucket(session, bucket);
    const awsConfig = join(work, 'aws-config');
    await writeFile(awsConfig, '[default]\ns3 =\n  addressing_style = path\n');
    const awsTunedConfig = join(work, 'aws-config-tuned');
    await writeFile(awsTunedConfig, '[default]\ns3 =\n  addressing_style = path\n  max_concurrent_requests = 16\n  multipart_chunksize = 16MB\n');
    const ctx: Context = { rgw, connection, session, bucket, work, runner, awsConfig, awsTunedConfig, bigSize: FILE_MB * 1024 * 1024 };
    console.log(`RGW ${rgw.endpoint}; Keydesk settings: part ${SETTINGS.partSizeMiB} MiB, concurrency ${SETTINGS.concurrency}`);
    await printVersions();
    if (TOOLS.includes('keydesk-undici')) await printUndiciStartup(ctx);

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
        for (const tool of toolsFor(round, 'download')) {
          const key = `big-${tool}.bin`;
          const target = join(work, `big-${tool}.out`);
          // The server calibration reads an object the SDK put there: it has no upload of its own.
          if (tool === 'disk') {
            add(down, tool, await timed(ctx, tool, 'download', target, key));
            await rm(target, { force: true });
            continue;
          }
          if (tool === 'curl') await ctx.session.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: createReadStream(bigFile), ContentLength: ctx.bigSize }));
          else add(up, tool, await timed(ctx, tool, 'upload', bigFile, key));
          add(down, tool, await timed(ctx, tool, 'download', target, key));
          if (tool !== 'curl' && (await md5File(target)) !== bigMd5) throw new Error(`${tool} downloaded different bytes`);
          await rm(target, { force: true });
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
        for (const tool of toolsFor(round, 'upload-dir')) {
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
        for (const tool of toolsFor(round, 'list')) {
          const timing = await timed(ctx, tool, 'list', '', 'list/');
          add(list, tool, timing);
          add(firstPage, tool, { seconds: timing.firstOutputSeconds ?? NaN, load1: timing.load1, engineSeconds: timing.firstPageSeconds });
        }
      }
      rows.push({ name: `list ${LIST_OBJECTS} objects: full`, times: combine(list) });
      rows.push({ name: `list ${LIST_OBJECTS} objects: first page`, times: combine(firstPage) });
    }

    printTable(rows);
    for (const variant of ['keydesk', 'keydesk-undici'] as const) {
      const runs = rows.flatMap((r) => r.times[variant] ?? []);
      if (runs.length === 0) continue;
      const rss = Math.max(...runs.flatMap((k) => (k.maxRssKiB ? [k.maxRssKiB] : [])));
      console.log(`\n${LABELS[variant]} peak RSS (largest of its runs): ${(rss / 1024).toFixed(0)} MiB`);
      console.log("Per operation: peak RSS; the time without process start / SDK load (the part a running app pays) and the CPU time, in the fastest run:");
      for (const { name, times } of rows) {
        const k = times[variant];
        if (!k) continue;
        if (!k.maxRssKiB && k.engineSeconds !== undefined) console.log(`  ${name.padEnd(34)}          ${k.engineSeconds.toFixed(2)} s`);
        if (k.maxRssKiB) console.log(`  ${name.padEnd(34)} ${(k.maxRssKiB / 1024).toFixed(0).padStart(4)} MiB  ${k.engineSeconds?.toFixed(2)} s  cpu ${k.cpuSeconds?.toFixed(2)} s`);
      }
    }
    const loads = rows.flatMap((r) => TOOLS.flatMap((t) => r.times[t]?.loads ?? []));
    console.log(`\nLoad average (1 min) seen before each measurement: min ${Math.min(...loads).toFixed(2)}, max ${Math.max(...loads).toFixed(2)}; at end ${load()}; ${os.cpus().length} CPU(s); bench took ${((performance.now() - began) / 60_000).toFixed(1)} min`);
  } finally {
    await rm(work, { recursive: true, force: true });
    await stop();
  }
}

/** One operation by one tool, timed from spawn to exit (and to its first output, for listings). */
async function timed(ctx: Context, tool: Tool, op: RunnerTask['op'], local: string, key: string): Promise<Timing> {
  const { command, args, env } = await commandFor(ctx, tool, op, local, key);
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
  if (tool.startsWith('keydesk')) Object.assign(timing, JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Pick<Timing, 'maxRssKiB' | 'engineSeconds' | 'firstPageSeconds'>);
  process.stdout.write(`  ${tool.padEnd(14)} ${op.padEnd(12)} ${seconds.toFixed(2).padStart(7)} s   load ${load1.toFixed(2)}   cpu ${timing.cpuSeconds!.toFixed(2)} s\n`);
  return timing;
}

async function commandFor(ctx: Context, tool: Tool, op: RunnerTask['op'], local: string, key: string): Promise<{ command: string; args: string[]; env: NodeJS.ProcessEnv }> {
  const { AWS_CA_BUNDLE: _unused, ...base } = process.env;
  const remoteAws = `s3://${ctx.bucket}/${key}`;
  const remoteRclone = `kd:${ctx.bucket}/${key}`;
  switch (tool) {
    case 'keydesk':
    case 'keydesk-undici': {
      const task: RunnerTask = { op, connection: ctx.connection, settings: SETTINGS, bucket: ctx.bucket, key, local, http: tool === 'keydesk' ? 'http1' : 'undici' };
      const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
      return { command: process.execPath, args: [...profile, ctx.runner, JSON.stringify(task)], env: base };
    }
    case 'aws':
    case 'aws-tuned': {
      const config = tool === 'aws' ? ctx.awsConfig : ctx.awsTunedConfig;
      const env = { ...base, AWS_ACCESS_KEY_ID: ctx.connection.accessKeyId, AWS_SECRET_ACCESS_KEY: ctx.connection.secretAccessKey, AWS_DEFAULT_REGION: ctx.rgw.region, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(ctx.work, 'none') };
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
    case 'rclone':
    case 'rclone-tuned': {
      const tuning = tool === 'rclone' ? [] : ['--transfers', '16', '--s3-upload-concurrency', '8', '--s3-chunk-size', '16M'];
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
      return { command: 'rclone', args: [...args, ...tuning], env };
    }
    case 'curl': {
      // Presigned, so curl does no signing; one process, CEILING_PARALLEL ranges at a time, bytes dropped.
      const url = await getSignedUrl(ctx.session.client, new GetObjectCommand({ Bucket: ctx.bucket, Key: key }), { expiresIn: 3600 });
      const config = join(ctx.work, 'curl-ranges');
      const ranges: string[] = [];
      for (let start = 0; start < ctx.bigSize; start += CEILING_RANGE) {
        ranges.push(`url = "${url}"\nrange = ${start}-${Math.min(ctx.bigSize, start + CEILING_RANGE) - 1}\noutput = /dev/null\n`);
      }
      await writeFile(config, ranges.join('next\n'));
      return { command: 'curl', args: ['--silent', '--show-error', '--fail', '--parallel', '--parallel-max', String(CEILING_PARALLEL), '--config', config], env: base };
    }
    case 'disk':
      // What making the file durable costs on its own (Keydesk syncs a download before giving it its name;
      // the peers leave it to the kernel): the same bytes written where the tools write, then fdatasync.
      return { command: 'dd', args: ['if=/dev/zero', `of=${local}`, 'bs=16M', `count=${Math.ceil(ctx.bigSize / (16 * 1024 * 1024))}`, 'conv=fdatasync', 'status=none'], env: base };
  }
}

function add(samples: Samples, tool: Tool, timing: Timing): void {
  (samples[tool] ??= []).push(timing);
}

/** The fastest run (its engine time and first output too), every run's time for the median, the largest RSS. */
function combine(samples: Samples): Partial<Record<Tool, Timing>> {
  const result: Partial<Record<Tool, Timing>> = {};
  for (const tool of TOOLS) {
    const runs = samples[tool] ?? [];
    if (runs.length === 0) continue;
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
  for (const tool of TOOLS.filter((t) => runsOp(t, 'upload'))) await timed(ctx, tool, 'upload', warm, 'warm.bin');
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

/**
 * Two tables: every tool's min / median, then per row the undici variant against Keydesk's own client,
 * Keydesk against the best peer (by median) and against the server's ceiling where one was measured.
 */
function printTable(rows: Row[]): void {
  const med = (t: Timing) => median(t.samples ?? [t.seconds]);
  const tools = TOOLS.filter((tool) => rows.some((r) => r.times[tool]));
  const cell = (t: Timing | undefined) => (t ? `${t.seconds.toFixed(2)} / ${med(t).toFixed(2)}` : '–').padStart(15);
  console.log(`\nSeconds, min / median of ${RUNS} run(s), process start included; CPU s (user + system) of the fastest run below each row.`);
  console.log(`${'operation'.padEnd(34)}${tools.map((t) => LABELS[t].padStart(15)).join('')}`);
  for (const { name, bytes, times } of rows) {
    console.log(`${name.padEnd(34)}${tools.map((t) => cell(times[t])).join('')}`);
    const rate = (t: Timing | undefined) => (t && bytes ? `${(bytes / 1e6 / t.seconds).toFixed(0)} MB/s` : '').padStart(15);
    if (bytes) console.log(`${'  MB/s (min)'.padEnd(34)}${tools.map((t) => rate(times[t])).join('')}`);
    console.log(`${'  CPU'.padEnd(34)}${tools.map((t) => (times[t]?.cpuSeconds === undefined ? '' : times[t]!.cpuSeconds!.toFixed(2)).padStart(15)).join('')}`);
  }
  const ratio = (other: number | undefined, mine: number | undefined) => (other === undefined || mine === undefined ? '–' : `${(other / mine).toFixed(2)}×`);
  const both = (other: Timing | undefined, mine: Timing | undefined) => `${ratio(other?.seconds, mine?.seconds)} / ${ratio(other && med(other), mine && med(mine))}`.padStart(16);
  console.log(`\nRatios min / median; above 1 = Keydesk (its own HTTP client) faster.`);
  console.log(`${'operation'.padEnd(34)}${'undici÷http1'.padStart(16)}${'(engine)'.padStart(10)}${'best peer'.padStart(14)}${'vs best peer'.padStart(16)}${'ceiling÷Keydesk'.padStart(18)}${'disk÷Keydesk'.padStart(16)}`);
  for (const { name, times } of rows) {
    const k = times.keydesk;
    const peers = PEERS.filter((p) => times[p]);
    const best = peers.length ? peers.reduce((a, b) => (med(times[b]!) < med(times[a]!) ? b : a)) : undefined;
    const u = times['keydesk-undici'];
    console.log(`${name.padEnd(34)}${both(u, k)}${ratio(u?.engineSeconds, k?.engineSeconds).padStart(10)}${(best ? LABELS[best] : '–').padStart(14)}${both(best && times[best], k)}${(times.curl ? both(times.curl, k) : '–').padStart(18)}${(times.disk ? both(times.disk, k) : '–').padStart(16)}`);
  }
  console.log('undici÷http1: the undici variant\'s time ÷ http1.ts\'s (above 1.10 = undici more than 10 % slower); (engine): the same in the fastest runs without process start and module loading. Best peer: the fastest aws CLI or rclone setting by median. ceiling÷Keydesk: the share of the server\'s own ceiling (parallel ranged curl to /dev/null) Keydesk reaches; disk÷Keydesk: the same for writing the bytes and syncing them (dd conv=fdatasync), which Keydesk does before a download is done and the peers do not.');
}

/** What loading undici and its first request cost in a fresh Node, against node:http's first request (median of 3). */
async function printUndiciStartup(ctx: Context): Promise<void> {
  const undici = createRequire(join(process.cwd(), 'package.json')).resolve('undici');
  const target = `${ctx.rgw.endpoint}/`;
  const script = (client: 'undici' | 'http') => `
    const t0 = performance.now();
    ${client === 'undici' ? `const { request } = await import(${JSON.stringify(undici)});` : `const { get } = await import('node:http');`}
    const t1 = performance.now();
    ${client === 'undici' ? `const r = await request(${JSON.stringify(target)}); await r.body.dump();` : `await new Promise((ok, ko) => get(${JSON.stringify(target)}, (r) => { r.resume(); r.on('end', ok); }).on('error', ko));`}
    console.log(JSON.stringify({ load: t1 - t0, first: performance.now() - t1 }));
    process.exit(0);`;
  const measure = async (client: 'undici' | 'http') => {
    const runs: { load: number; first: number }[] = [];
    for (let i = 0; i < 3; i++) runs.push(JSON.parse((await run(process.execPath, ['--input-type=module', '-e', script(client)])).stdout) as { load: number; first: number });
    return { load: median(runs.map((r) => r.load)), first: median(runs.map((r) => r.first)) };
  };
  const [u, h] = [await measure('undici'), await measure('http')];
  console.log(`Cold start, median of 3 (load ${loadavg()[0].toFixed(2)}): import undici ${u.load.toFixed(0)} ms + first request ${u.first.toFixed(0)} ms; node:http ${h.load.toFixed(0)} ms + ${h.first.toFixed(0)} ms`);
}
