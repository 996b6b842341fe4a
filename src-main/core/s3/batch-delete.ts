import { DeleteObjectsCommand, type ObjectIdentifier } from '@aws-sdk/client-s3';
import { KeydeskError } from '../errors';
import { s3Call, type BatchOptions, type S3Session } from './session';

/** DeleteObjects takes at most 1000 keys per request. */
export const DELETE_BATCH = 1000;

/**
 * Deletes in batches of 1000 and counts progress against a total counted beforehand. Keys the server
 * refuses do not stop the rest; they are reported together at the end by `finish()`.
 */
export class BatchDeleter {
  private done = 0;
  private readonly failures: { key: string; reason: string }[] = [];

  constructor(
    private readonly session: S3Session,
    private readonly bucket: string,
    private readonly total: number,
    private readonly options: BatchOptions,
  ) {}

  async delete(objects: ObjectIdentifier[]): Promise<void> {
    for (let start = 0; start < objects.length; start += DELETE_BATCH) {
      const batch = objects.slice(start, start + DELETE_BATCH);
      const result = await s3Call(this.session, this.options.signal, (o) =>
        this.session.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch, Quiet: true } }), o),
      );
      for (const error of result.Errors ?? []) this.failures.push({ key: error.Key ?? '?', reason: error.Code ?? error.Message ?? 'unknown error' });
      this.advance(batch.length - (result.Errors?.length ?? 0));
    }
  }

  /** For work that is not a delete but counts towards the same total (e.g. an aborted upload). */
  advance(count: number): void {
    this.done += count;
    this.options.onProgress?.({ done: this.done, total: Math.max(this.total, this.done) });
  }

  finish(): number {
    if (this.failures.length > 0) {
      const first = this.failures[0];
      throw new KeydeskError({
        code: 'PROVIDER',
        provider: 'S3',
        providerCode: first.reason,
        message: `${this.failures.length} object(s) could not be deleted; the first was "${first.key}" (${first.reason}).`,
        hint: 'Check that this key may delete objects in the bucket, then try again.',
      });
    }
    return this.done;
  }
}
