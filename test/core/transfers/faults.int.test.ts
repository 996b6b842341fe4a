import { GetObjectCommand, ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBucket } from '../../../src-main/core/s3/buckets';
import type { S3Connection } from '../../../src-main/core/s3/client';
import { listFolder } from '../../../src-main/core/s3/listing';
import { openSession, type S3Session } from '../../../src-main/core/s3/session';
import { TransferQueue } from '../../../src-main/core/transfers/queue';
import type { TransferItemSnapshot } from '../../../src-main/core/transfers/types';
import { md5File, MiB, randomFile, tempDir, userFixture } from '../../helpers/s3-fixtures';
import { s3ErrorXml, startHttpFaultProxy, startTcpProxy, type AnswerRule, type TcpFaults } from '../../helpers/tcp-proxy';

/*
 * Keydesk's transfers and listings through a network and a server that misbehave: a TCP proxy (latency,
 * bandwidth cap, a reset, truncation or stall in the middle of a body) and an HTTP proxy that answers some
 * requests itself (503 SlowDown with Retry-After, bursts of 500, a bucket in another region), both in
 * front of a real RGW. Every transfer must end with the right bytes (hashed on RGW or on disk) or a clear
 * error; the time each took is printed as a table (no timing asserts beyond "did not hang").
 */

const rgw = inject('rgw');
/** npm run test:full (KEYDESK_TEST_FULL=1): larger files (more parts in flight when a fault strikes) and a longer listing. */
const full = process.env.KEYDESK_TEST_FULL === '1';
const SMALL = 1 * MiB;
const LARGE = (full ? 26 : 11) * MiB;
const LISTED = full ? 1200 : 300;
const PAGE = 100;
const STALL_MS = 1_500;
const RETRY = { attempts: 6, baseDelayMs: 50, maxDelayMs: 500 };
/** Far above any recovery seen: a transfer that takes longer hangs. */
const HANG_MS = 45_000;
const OTHER_REGION = 'eu-other';

let direct: S3Session;
let base: S3Connection;
let bucket: string;
let dir: string;
let small: { path: string; md5: string };
let large: { path: string; md5: string };
let tcp: Awaited<ReturnType<typeof startTcpProxy>>;
let http: Awaited<ReturnType<typeof startHttpFaultProxy>>;
/** The "other region's" endpoint a redirect points to. */
let elsewhere: Awaited<ReturnType<typeof startTcpProxy>>;
const queues: TransferQueue[] = [];
const timings = new Map<string, Map<string, string>>();
const rgwPort = Number(new URL(rgw.endpoint).port);

beforeAll(async () => {
  const fixture = await userFixture(rgw, 'faults');
  direct = fixture.session;
  // Over plain HTTP whatever the project: the proxies relay TCP to RGW's HTTP port.
  base = { ...fixture.connection, endpoint: rgw.endpoint, trust: undefined };
  direct = openSession(base);
  bucket = `${fixture.user.uid}-f`;
  await createBucket(direct, bucket);
  dir = await tempDir('keydesk-faults-');
  small = await source('small', SMALL);
  large = await source('large', LARGE);
  // Objects to download, and a folder to list in pages.
  await Promise.all([
    direct.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'src/small', Body: await readAll(small.path) })),
    direct.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'src/large', Body: await readAll(large.path) })),
  ]);
  for (let i = 0; i < LISTED; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, LISTED - i) }, (_, j) => direct.client.send(new PutObjectCommand({ Bucket: bucket, Key: `list/item-${String(i + j).padStart(5, '0')}`, Body: 'x' }))));
  }
  [tcp, http, elsewhere] = await Promise.all([startTcpProxy(rgwPort), startHttpFaultProxy(rgwPort), startTcpProxy(rgwPort)]);
});

afterAll(async () => {
  await Promise.all(queues.splice(0).map((q) => q.shutdown()));
  await Promise.all([tcp?.close(), http?.close(), elsewhere?.close()]);
  printTable();
});

async function source(name: string, size: number) {
  const path = await randomFile(join(dir, name), size);
  return { path, md5: await md5File(path) };
}

async function readAll(path: string): Promise<Buffer> {
  const { readFile } = await import('node:fs/promises');
  return readFile(path);
}

function through(port: number): S3Connection {
  return { ...base, endpoint: `http://127.0.0.1:${port}` };
}

function queue(connection: S3Connection, retry = RETRY): TransferQueue {
  const q = new TransferQueue({
    journalDir: join(dir, `journal-${queues.length}`),
    resolveEndpoint: () => ({ connection, settings: { partSizeMiB: 5, concurrency: 3 } }),
    retry,
    stallTimeoutMs: STALL_MS,
    progressIntervalMs: 20,
  });
  queues.push(q);
  return q;
}

async function rgwMd5(key: string): Promise<string> {
  const answer = await direct.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash('md5');
  for await (const chunk of answer.Body as Readable) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

type Op = 'upload' | 'upload multipart' | 'download' | 'download ranged' | 'listing';
const OPS: Op[] = ['upload', 'upload multipart', 'download', 'download ranged', 'listing'];

/** Runs one operation through `connection` and checks its outcome; returns the item for transfers. */
async function runOp(op: Op, connection: S3Connection, tag: string, retry = RETRY): Promise<TransferItemSnapshot | { listed: number }> {
  if (op === 'listing') {
    const session = openSession(connection, { maxAttempts: 1, stallTimeoutMs: STALL_MS });
    let listed = 0;
    for await (const page of listFolder(session, bucket, 'list/', { pageSize: PAGE, retry })) listed += page.objects.length;
    session.objects.close();
    return { listed };
  }
  const q = queue(connection, retry);
  const key = `up/${tag}/${op.replace(' ', '-')}`;
  const file = op === 'upload' || op === 'download' ? small : large;
  const added = op.startsWith('upload')
    ? await q.addUpload({ credentialId: 'c', bucket, key, file: file.path })
    : await q.addDownload({ credentialId: 'c', bucket, key: op === 'download' ? 'src/small' : 'src/large', target: join(dir, `${tag}-${op.replace(' ', '-')}`) });
  return q.wait(added.id);
}

/** Asserts the right bytes arrived: on RGW for uploads (hashed there), on disk for downloads, every object for listings. */
async function expectRightBytes(op: Op, result: TransferItemSnapshot | { listed: number }) {
  if ('listed' in result) return expect(result.listed).toBe(LISTED);
  expect(result.error?.message ?? '', `${op} failed`).toBe('');
  expect(result.state).toBe('done');
  const want = op === 'upload' || op === 'download' ? small.md5 : large.md5;
  expect(op.startsWith('upload') ? await rgwMd5(result.key) : await md5File(result.localPath)).toBe(want);
}

async function timed<T>(row: string, op: Op, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([run(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${row} / ${op} hung (> ${HANG_MS / 1000} s)`)), HANG_MS)))]);
  } finally {
    clearTimeout(timer);
    const cells = timings.get(row) ?? new Map<string, string>();
    cells.set(op, `${((performance.now() - started) / 1000).toFixed(2)} s`);
    timings.set(row, cells);
  }
}

function printTable() {
  const lines = [`| fault | ${OPS.join(' | ')} |`, `|---|${OPS.map(() => '---').join('|')}|`];
  for (const [row, cells] of timings) lines.push(`| ${row} | ${OPS.map((op) => cells.get(op) ?? '').join(' | ')} |`);
  console.log(`Time to finish under each fault (files ${SMALL / MiB} and ${LARGE / MiB} MiB, 5 MiB parts, ${LISTED} objects listed in pages of ${PAGE}; stall timeout ${STALL_MS / 1000} s):\n${lines.join('\n')}`);
}

/** Where in a request or answer a TCP fault strikes, per operation: inside the body that matters. */
function midBody(op: Op, kind: 'reset' | 'close' | 'stall'): NonNullable<TcpFaults['trip']> {
  if (op === 'listing') return { kind, afterBytes: 3_000, connections: 2 };
  // Uploads: in the middle of a part being sent, except a truncated answer (the server got the part, its answer is lost).
  if (op.startsWith('upload')) return kind === 'close' ? { kind, afterBytes: 60, connections: 2 } : { kind, afterBytes: (op === 'upload' ? SMALL : 5 * MiB) / 2, direction: 'request', connections: 2 };
  return { kind, afterBytes: (op === 'download' ? SMALL : 5 * MiB) / 2, connections: 2 };
}

describe('no fault (baseline)', () => {
  for (const op of OPS) {
    it(op, async () => {
      tcp.restore();
      await expectRightBytes(op, await timed('none (through the proxy)', op, () => runOp(op, through(tcp.port), 'none')));
    });
  }
});

const TCP_ROWS: [string, (op: Op) => TcpFaults][] = [
  ['latency 40 ms each way', () => ({ latencyMs: 40 })],
  ['bandwidth 16 MB/s (shared link)', () => ({ bytesPerSecond: 16_000_000 })],
  ['reset mid-body (×2)', (op) => ({ trip: midBody(op, 'reset') })],
  ['truncated answer (×2)', (op) => ({ trip: midBody(op, 'close') })],
  [`stall, no bytes (×2, ${STALL_MS / 1000} s timer)`, (op) => ({ trip: midBody(op, 'stall') })],
];

for (const [row, faults] of TCP_ROWS) {
  describe(row, () => {
    for (const op of OPS) {
      it(op, async () => {
        tcp.inject(faults(op));
        const result = await timed(row, op, () => runOp(op, through(tcp.port), row.split(' ')[0]));
        tcp.restore();
        await expectRightBytes(op, result);
        if (faults(op).trip) expect(tcp.stats.trips, 'the fault struck').toBeGreaterThan(0);
        // The server got the body but its answer was lost: it is asked what it holds instead of being sent the bytes again.
        if (row.startsWith('truncated') && op.startsWith('upload')) expect(tcp.stats.sentBytes).toBeLessThan((op === 'upload' ? SMALL : LARGE) * 1.2);
        // A download cut in the middle asks only for the rest (a range from the first byte it does not have).
        // Not after a reset: the bytes in flight are lost with the connection, so the proxy's count says nothing.
        if ((row.startsWith('truncated') || row.startsWith('stall')) && op.startsWith('download')) expect(tcp.stats.answeredBytes).toBeLessThan((op === 'download' ? SMALL : LARGE) * 1.1);
      });
    }
  });
}

const slowDown: AnswerRule = { times: 3, answer: { status: 503, headers: { 'retry-after': '1', 'content-type': 'application/xml' }, body: s3ErrorXml('SlowDown', 'Please reduce your request rate.') } };
const burst500: AnswerRule = { times: 4, answer: { status: 500, headers: { 'content-type': 'application/xml' }, body: s3ErrorXml('InternalError', 'We encountered an internal error. Please try again.') } };

/** Requests signed for the credential's region; those signed for the bucket's own region pass. */
const signedForHome = (request: IncomingMessage) => !String(request.headers.authorization ?? '').includes(`/${OTHER_REGION}/`);
const redirect = (status: 301 | 307): AnswerRule => ({
  match: signedForHome,
  answer: (request) => ({
    status,
    headers: {
      'x-amz-bucket-region': OTHER_REGION,
      'content-type': 'application/xml',
      ...(status === 307 && { location: `http://127.0.0.1:${elsewhere.port}${request.url}` }),
    },
    body:
      status === 301
        ? s3ErrorXml('PermanentRedirect', 'The bucket you are attempting to access must be addressed using the specified endpoint.', `<Bucket>${bucket}</Bucket><Endpoint>127.0.0.1:${elsewhere.port}</Endpoint>`)
        : s3ErrorXml('TemporaryRedirect', 'Please re-send this request to the specified temporary endpoint.'),
  }),
});

/** Requests the "other region's" endpoint received during the row. */
let elsewhereBefore = 0;
const wentElsewhere = () => elsewhere.stats.connections - elsewhereBefore;

const HTTP_ROWS: [string, AnswerRule, (op: Op) => void][] = [
  ['503 SlowDown, Retry-After: 1 (×3)', slowDown, () => expect(http.stats.answered).toBe(3)],
  ['500 InternalError burst (×4)', burst500, () => expect(http.stats.answered).toBe(4)],
  [
    `301 to another region's endpoint`,
    redirect(301),
    (op) => {
      // Remembered: one redirect per request already in flight at most, then the bucket's own endpoint.
      expect(http.stats.answered).toBeGreaterThan(0);
      expect(http.stats.answered).toBeLessThanOrEqual(4);
      // A download starts with a HEAD, whose 301 has no body to name the endpoint: it learns the region only,
      // and the requests signed for it pass.
      if (!op.startsWith('download')) expect(wentElsewhere()).toBeGreaterThan(0);
    },
  ],
  [
    `307 to another region's endpoint`,
    redirect(307),
    () => {
      expect(http.stats.answered).toBeGreaterThan(0);
      expect(http.stats.answered).toBeLessThanOrEqual(4);
      expect(wentElsewhere()).toBeGreaterThan(0);
    },
  ],
];

for (const [row, rule, check] of HTTP_ROWS) {
  describe(row, () => {
    for (const op of OPS) {
      it(op, async () => {
        http.answer(rule);
        elsewhereBefore = elsewhere.stats.connections;
        const result = await timed(row, op, () => runOp(op, through(http.port), row.split(' ')[0]));
        http.answer();
        await expectRightBytes(op, result);
        check(op);
      });
    }
  });
}

describe('faults that do not heal: a clear error, no hang, nothing left behind', () => {
  const failing: [string, () => void, RegExp][] = [
    [
      '503 SlowDown forever',
      () => http.answer({ answer: slowDown.answer }),
      /(could not handle the request \(SlowDown, HTTP 503\): Please reduce your request rate|is overloaded or unavailable \(HTTP 503\)) \(tried 3 times over \d+ s\)/,
    ],
    ['500 forever', () => http.answer({ answer: burst500.answer }), /(could not handle the request \(InternalError, HTTP 500\): We encountered an internal error\. Please try again|failed with an internal error \(HTTP 500\)) \(tried 3 times over \d+ s\)/],
    [
      'redirect loop',
      // Every request, wherever it is signed for, is sent on to another region at this same proxy.
      () =>
        http.answer({
          answer: { status: 301, headers: { 'x-amz-bucket-region': OTHER_REGION }, body: s3ErrorXml('PermanentRedirect', 'Elsewhere.', `<Endpoint>127.0.0.1:${http.port}</Endpoint>`) },
        }),
      /The server redirected the requests for bucket "[^"]+" elsewhere \(region eu-other\), but Keydesk did not follow: it names neither another endpoint nor another region/,
    ],
  ];
  const retry = { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 };
  for (const [row, inject, message] of failing) {
    for (const op of ['upload multipart', 'download ranged', 'listing'] as Op[]) {
      it(`${row}: ${op}`, async () => {
        inject();
        const outcome = await timed(`fails: ${row}`, op, () =>
          runOp(op, through(http.port), `fail-${row.split(' ')[0]}`, retry).then(
            (result) => ('listed' in result ? { message: '' } : (result.error ?? { message: '' })),
            (error: Error) => error,
          ),
        );
        http.answer();
        expect(outcome.message).toMatch(message);
      });
    }
  }

  it('a stall that never ends fails each transfer with the stall named, and leaves no multipart upload behind', async () => {
    tcp.inject({ trip: { kind: 'stall', afterBytes: MiB, direction: 'request' } });
    const outcome = await timed('fails: stall forever', 'upload multipart', () => runOp('upload multipart', through(tcp.port), 'stall-forever', { attempts: 2, baseDelayMs: 20, maxDelayMs: 50 }));
    tcp.restore();
    expect((outcome as TransferItemSnapshot).state).toBe('failed');
    expect((outcome as TransferItemSnapshot).error?.message).toMatch(/stopped sending or taking data for 2 s, so the request was given up \(tried 2 times over \d+ s\)/);
    const pending = await direct.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'up/stall-forever/' }));
    expect(pending.Uploads ?? []).toEqual([]);
  });

  it('cancel works during a backoff wait (Retry-After: 30)', async () => {
    http.answer({ answer: { ...(slowDown.answer as object), status: 503, headers: { 'retry-after': '30', 'content-type': 'application/xml' } } as never });
    const q = queue(through(http.port));
    const item = await q.addDownload({ credentialId: 'c', bucket, key: 'src/small', target: join(dir, 'cancelled-in-backoff') });
    const deadline = Date.now() + 10_000;
    while (http.stats.answered === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const started = performance.now();
    await q.cancel(item.id);
    const cancelledAfter = performance.now() - started;
    http.answer();
    expect(q.get(item.id).state).toBe('cancelled');
    expect(cancelledAfter).toBeLessThan(5_000);
  });
});
