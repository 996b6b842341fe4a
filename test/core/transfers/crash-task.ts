/** What transfer-crash.int.test.ts asks of crash-runner.ts (a separate file: importing the runner runs it). */
import type { S3Connection } from '../../../src-main/core/s3/client';
import type { TransferStep } from '../../../src-main/core/transfers/context';
import type { ConflictPolicy } from '../../../src-main/core/transfers/types';

/** A step of the engine, or `reported`: the item was reported done. */
export type CrashStep = TransferStep | 'reported';

export type RunnerOp =
  | { op: 'upload'; key: string; file: string; conflict: ConflictPolicy }
  | { op: 'download'; key: string; target: string; root?: string; conflict: ConflictPolicy };

export interface RunnerTask {
  mode: 'start' | 'resume';
  journalDir: string;
  connection: S3Connection;
  bucket: string;
  partSizeMiB: number;
  ops: RunnerOp[];
  /**
   * Every item stops (waits forever) the nth time it reaches `step`; once every item has stopped or
   * finished, the process prints CRASH_MARKER and freezes, to be killed with SIGKILL.
   */
  crashAt?: { step: CrashStep; nth: number };
}

export const CRASH_MARKER = 'KEYDESK-CRASH-POINT';

/** The runner's last line when it was not killed. */
export interface RunnerResult {
  items: { id: string; kind: string; state: string; key: string; localPath: string; error?: unknown }[];
}
