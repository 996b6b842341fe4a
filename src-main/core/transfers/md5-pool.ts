import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/*
 * MD5 of upload parts off the main thread. Hashing costs ~1.3 s of CPU per GB; on the main thread it
 * also delays every socket write and SDK step queued behind it. Part buffers live in SharedArrayBuffers,
 * so a worker hashes them in place (no copy, nothing transferred). The worker is plain JavaScript passed
 * as a string (`eval`), so it needs no separate bundle entry in the Electron main process or the CLI.
 */

/** Below this, posting to a worker costs more than hashing inline. */
const INLINE_BELOW = 1024 * 1024;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
parentPort.on('message', ({ id, buffer, offset, length }) => {
  try {
    parentPort.postMessage({ id, digest: createHash('md5').update(new Uint8Array(buffer, offset, length)).digest() });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

interface Pending {
  resolve: (digest: Buffer) => void;
  reject: (error: Error) => void;
}

class Md5Worker {
  private readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(onFailure: (worker: Md5Worker) => void) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, name: 'keydesk-md5' });
    this.worker.unref();
    this.worker.on('message', (message: { id: number; digest?: Uint8Array; error?: string }) => {
      const job = this.pending.get(message.id);
      if (!job) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) this.worker.unref();
      if (message.digest) job.resolve(Buffer.from(message.digest.buffer, message.digest.byteOffset, message.digest.byteLength));
      else job.reject(new Error(message.error ?? 'MD5 worker failed'));
    });
    const fail = (error: Error) => {
      onFailure(this);
      for (const job of this.pending.values()) job.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`MD5 worker exited (${code})`)));
  }

  hash(view: Uint8Array): Promise<Buffer> {
    const id = this.nextId++;
    // Referenced while it has work, so a process waiting only on a hash does not exit under it.
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, buffer: view.buffer, offset: view.byteOffset, length: view.byteLength });
    });
  }
}

const workers: Md5Worker[] = [];
let unavailable = false;

function leastBusy(): Md5Worker | undefined {
  if (unavailable) return undefined;
  // One per core: MD5 is an upload's largest CPU cost, and the main thread mostly waits on the network.
  const size = Math.min(4, availableParallelism());
  try {
    const idle = workers.find((w) => w.pending.size === 0);
    if (idle) return idle;
    if (workers.length < size) {
      const worker = new Md5Worker((dead) => workers.splice(workers.indexOf(dead) >>> 0, 1));
      workers.push(worker);
      return worker;
    }
  } catch {
    // Workers unavailable (a restricted runtime): hash inline from now on.
    unavailable = true;
    return undefined;
  }
  return workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
}

/**
 * The MD5 of `view`: in a worker when it is large and backed by a SharedArrayBuffer (see partBuffer),
 * inline otherwise, and inline again if a worker fails.
 */
export async function md5(view: Uint8Array): Promise<Buffer> {
  if (view.byteLength >= INLINE_BELOW && view.buffer instanceof SharedArrayBuffer) {
    const worker = leastBusy();
    if (worker) {
      try {
        return await worker.hash(view);
      } catch {
        // fall through to inline
      }
    }
  }
  return createHash('md5').update(view).digest();
}

/** A part buffer a worker can hash in place. */
export function partBuffer(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(size));
}
