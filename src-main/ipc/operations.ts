import { KeydeskError } from '../core/errors';
import type { BatchProgress } from '../core/s3/session';
import type { EventBus } from './events';

const PROGRESS_INTERVAL_MS = 200;

/**
 * Long batch operations (empty bucket, delete or move folders): each runs under an id the renderer picked,
 * so it can follow `operations:progress` and call `operations:cancel` while the request is still pending.
 */
export class OperationRegistry {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly events: EventBus) {}

  async run<T>(operationId: string, work: (options: { signal: AbortSignal; onProgress: (p: BatchProgress) => void }) => Promise<T>): Promise<T> {
    if (this.running.has(operationId)) throw new KeydeskError({ code: 'CONFLICT', message: 'That operation is already running.' });
    const controller = new AbortController();
    this.running.set(operationId, controller);
    // Batches of 1000 finish quickly: progress is sent at most every 200 ms, plus the first and last.
    let last = 0;
    let pending: BatchProgress | undefined;
    const send = (progress: BatchProgress) => {
      pending = undefined;
      last = Date.now();
      this.events.emit('operations:progress', { operationId, ...progress });
    };
    const onProgress = (progress: BatchProgress) => {
      const finished = progress.total > 0 && progress.done >= progress.total;
      if (progress.done === 0 || finished || Date.now() - last >= PROGRESS_INTERVAL_MS) send(progress);
      else pending = progress;
    };
    try {
      return await work({ signal: controller.signal, onProgress });
    } finally {
      if (pending) send(pending);
      this.running.delete(operationId);
    }
  }

  /** False when the operation already ended. */
  cancel(operationId: string): boolean {
    const controller = this.running.get(operationId);
    controller?.abort();
    return !!controller;
  }
}
