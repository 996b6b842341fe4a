/**
 * One Keydesk engine operation per process, so the benchmark times it like the CLI tools (process start
 * included) and its peak RSS is Keydesk's alone. Bundled and started by test/bench/bench.ts.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Connection } from '../../src-main/core/s3/client';
import { listFolder } from '../../src-main/core/s3/listing';
import { ObjectRequests } from '../../src-main/core/s3/object-requests';
import { openSession } from '../../src-main/core/s3/session';
import { TransferQueue } from '../../src-main/core/transfers/queue';
import type { TransferItemSnapshot } from '../../src-main/core/transfers/types';
import type { TransferSettings } from '../../src-main/core/vault/metadata-store';

export interface RunnerTask {
  op: 'upload' | 'download' | 'upload-dir' | 'download-dir' | 'list';
  connection: S3Connection;
  settings: TransferSettings;
  bucket: string;
  /** Key, or prefix for -dir and list. */
  key: string;
  local: string;
  maxActiveItems?: number;
  /** The object path's HTTP client: http1.ts (the app's) or undici, measured side by side. */
  http?: 'http1' | 'undici';
}

const task = JSON.parse(process.argv[2]) as RunnerTask;
if (task.http === 'undici') {
  // Its own chunk, loaded only here: the http1 runs do not pay for loading undici.
  const { UndiciPool } = await import('../helpers/undici-pool');
  ObjectRequests.openPool = (origin, options) => new UndiciPool(origin, options);
}

/** Module evaluation ends here (Node, the bundled SDK and the HTTP client are loaded): what follows is what a running app pays. */
const started = performance.now();

async function main(): Promise<void> {
  if (task.op === 'list') {
    const session = openSession(task.connection);
    let count = 0;
    let firstPageSeconds = NaN;
    for await (const page of listFolder(session, task.bucket, task.key)) {
      if (count === 0) {
        firstPageSeconds = (performance.now() - started) / 1000;
        process.stdout.write('first-page\n');
      }
      count += page.objects.length + page.folders.length;
    }
    report({ count, firstPageSeconds });
    return;
  }
  const queue = new TransferQueue({
    journalDir: await mkdtemp(join(tmpdir(), 'keydesk-bench-journal-')),
    resolveEndpoint: () => ({ connection: task.connection, settings: task.settings }),
    maxActiveItems: task.maxActiveItems,
  });
  const request = { credentialId: 'bench', bucket: task.bucket };
  const added: TransferItemSnapshot[] =
    task.op === 'upload'
      ? [await queue.addUpload({ ...request, key: task.key, file: task.local })]
      : task.op === 'download'
        ? [await queue.addDownload({ ...request, key: task.key, target: task.local, conflict: 'overwrite' })]
        : task.op === 'upload-dir'
          ? await queue.addUploadFolder({ ...request, prefix: task.key, folder: task.local })
          : await queue.addDownloadFolder({ ...request, prefix: task.key, targetDir: task.local, conflict: 'overwrite' });
  await queue.whenIdle();
  // What a command-line tool does when its work is done: write the transfer list now instead of after
  // the batching delay (whose timer would otherwise keep the process alive), then exit.
  await queue.shutdown();
  const failed = queue.list().filter((i) => i.state !== 'done');
  if (failed.length > 0) throw new Error(`${failed.length} transfer(s) did not finish: ${JSON.stringify(failed[0].error ?? failed[0].state)}`);
  report({ count: added.length, bytes: queue.totals().bytesDone });
}

/** VmHWM, not getrusage's maxRSS: on Linux the latter keeps the parent's peak across fork+exec. */
function report(result: Record<string, number>): void {
  const peak = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  const engineSeconds = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ ...result, engineSeconds, maxRssKiB: Number(peak?.[1] ?? NaN) })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
