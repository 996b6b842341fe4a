import type { ErrorInfo } from '../../../src-main/ipc/contract';
import { api, errorInfo } from '../lib/api';

/**
 * One cancellable batch operation in main (empty bucket, delete, move): the renderer picks its id, so it
 * can follow `operations:progress` and cancel before the request returns.
 */
export class OperationState {
  label = $state('');
  done = $state(0);
  total = $state(0);
  running = $state(false);
  cancelling = $state(false);
  error = $state<ErrorInfo>();
  private id = '';

  /** Runs `work` with a fresh operation id; resolves to its result, or undefined when it failed or was cancelled. */
  async run<T>(label: string, work: (operationId: string) => Promise<T>): Promise<T | undefined> {
    this.id = crypto.randomUUID();
    const id = this.id;
    Object.assign(this, { label, done: 0, total: 0, running: true, cancelling: false, error: undefined });
    const stop = api.on('operations:progress', (p) => {
      if (p.operationId !== id) return;
      this.done = p.done;
      this.total = p.total;
    });
    try {
      return await work(id);
    } catch (error) {
      this.error = errorInfo(error);
      return undefined;
    } finally {
      stop();
      this.running = false;
    }
  }

  async cancel(): Promise<void> {
    this.cancelling = true;
    await api.operations.cancel({ operationId: this.id });
  }

  dismiss(): void {
    this.error = undefined;
  }
}
