import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

const READ_CHUNK = 4 * 1024 * 1024;

/**
 * MD5 of a file written by parallel ranged downloads. Parts finish out of order, so the hash follows the
 * contiguous finished prefix, reading it back (from the page cache) while later parts still download.
 */
export class OrderedHasher {
  private readonly hash = createHash('md5');
  private readonly finished = new Set<number>();
  private next = 0;
  private work: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly handle: FileHandle,
    private readonly partSize: number,
    private readonly size: number,
  ) {}

  partDone(part: number): void {
    this.finished.add(part);
    this.work = this.work.then(() => this.drain()).catch((error: unknown) => {
      this.failure ??= { error };
    });
  }

  async digest(): Promise<string> {
    await this.work;
    if (this.failure) throw this.failure.error;
    return this.hash.digest('hex');
  }

  private async drain(): Promise<void> {
    const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(1, this.size)));
    while (this.finished.has(this.next)) {
      const end = Math.min(this.size, (this.next + 1) * this.partSize);
      for (let position = this.next * this.partSize; position < end; ) {
        const { bytesRead } = await this.handle.read(buffer, 0, Math.min(buffer.length, end - position), position);
        if (bytesRead === 0) throw new Error('temporary file shorter than expected');
        this.hash.update(buffer.subarray(0, bytesRead));
        position += bytesRead;
      }
      this.finished.delete(this.next);
      this.next++;
    }
  }
}
