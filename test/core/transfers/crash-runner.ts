/**
 * The transfer engine in a process of its own, for crash tests (transfer-crash.int.test.ts bundles and
 * starts it). `start` adds the given transfers, `resume` brings back what an earlier process left, as the
 * app does at start. With `crashAt`, each item stops at that step, and once all have stopped or finished
 * the process freezes after printing a marker line, so the test can SIGKILL it with every item exactly there.
 */
import { TransferQueue } from '../../../src-main/core/transfers/queue';
import { CRASH_MARKER, type CrashStep, type RunnerResult, type RunnerTask } from './crash-task';

const FINISHED = new Set(['done', 'failed', 'cancelled', 'skipped', 'conflict']);

async function main(task: RunnerTask): Promise<void> {
  const reached = new Map<string, number>();
  const stopped = new Set<string>();
  const queue = new TransferQueue({
    journalDir: task.journalDir,
    resolveEndpoint: () => ({ connection: task.connection, settings: { partSizeMiB: task.partSizeMiB, concurrency: 2 } }),
    // Every item runs at once, so each can reach the step while the others wait at it.
    maxActiveItems: 1000,
    maxActiveLarge: 1000,
    onStep: (step, id) => (reach(step, id) ? new Promise<void>(() => {}) : undefined),
  });
  /** Whether the item must stop here. */
  const reach = (step: CrashStep, id: string): boolean => {
    if (task.crashAt?.step !== step) return false;
    const count = (reached.get(id) ?? 0) + 1;
    reached.set(id, count);
    if (count !== task.crashAt.nth) return false;
    stopped.add(id);
    setImmediate(freezeWhenAllStopped);
    return true;
  };
  let allAdded = false;
  const freezeWhenAllStopped = () => {
    if (!task.crashAt || !allAdded || !queue.list().every((item) => stopped.has(item.id) || FINISHED.has(item.state))) return;
    process.stdout.write(`${CRASH_MARKER} ${task.crashAt.step}\n`);
    // Nothing runs again (no timer, no I/O callback) until the test kills the process.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  };
  queue.subscribe((event) => {
    if (event.type !== 'item') return;
    if (event.item.state === 'done') reach('reported', event.item.id);
    if (FINISHED.has(event.item.state)) setImmediate(freezeWhenAllStopped);
  });
  if (task.mode === 'resume') await queue.resumePending();
  for (const op of task.ops) {
    const request = { credentialId: 'crash', bucket: task.bucket, key: op.key, conflict: op.conflict };
    if (op.op === 'upload') await queue.addUpload({ ...request, file: op.file });
    else await queue.addDownload({ ...request, target: op.target, root: op.root });
  }
  allAdded = true;
  setImmediate(freezeWhenAllStopped);
  await queue.whenIdle();
  freezeWhenAllStopped();
  await queue.shutdown();
  const result: RunnerResult = { items: queue.list().map(({ id, kind, state, key, localPath, error }) => ({ id, kind, state, key, localPath, error })) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main(JSON.parse(process.argv[2]) as RunnerTask).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
