import { randomUUID } from 'node:crypto';
import { KeydeskError } from '../core/errors';
import { planPreview, PREVIEW_CHUNK, readRange } from '../core/s3/preview';
import { openSession, type S3Session } from '../core/s3/session';
import type { S3Connection } from '../core/s3/client';
import type { PreviewStart } from './channels/preview';

interface OpenPreview {
  session: S3Session;
  bucket: string;
  key: string;
  versionId?: string;
  etag?: string;
  limit: number;
  lastUsed: number;
}

/**
 * Previews in progress: main decides what a preview may read (kind and limit) when it opens, and the
 * renderer then pulls the bytes in chunks of at most PREVIEW_CHUNK. The renderer never gets a file path
 * or a URL, and cannot ask for more than the limit. Few are kept; idle ones are closed.
 */
export class PreviewRegistry {
  private readonly open = new Map<string, OpenPreview>();

  constructor(private readonly options: { max?: number; idleMs?: number } = {}) {}

  async start(connection: S3Connection, bucket: string, key: string, versionId?: string): Promise<PreviewStart> {
    this.sweep();
    const session = openSession(connection);
    try {
      const plan = await planPreview(session, bucket, key, versionId);
      const done = plan.first.length >= plan.limit;
      const base = { kind: plan.kind, mime: plan.mime, size: plan.size, limit: plan.limit, truncated: plan.truncated, reason: plan.reason, chunk: plan.first.toString('base64'), done };
      if (done) {
        session.client.destroy();
        return { previewId: randomUUID(), ...base };
      }
      while (this.open.size >= (this.options.max ?? 4)) this.close(this.open.keys().next().value as string);
      const previewId = randomUUID();
      this.open.set(previewId, { session, bucket, key, versionId, etag: plan.etag, limit: plan.limit, lastUsed: Date.now() });
      return { previewId, ...base };
    } catch (error) {
      session.client.destroy();
      throw error;
    }
  }

  async chunk(previewId: string, offset: number): Promise<{ chunk: string; done: boolean }> {
    const preview = this.open.get(previewId);
    if (!preview) throw new KeydeskError({ code: 'NOT_FOUND', message: 'This preview was closed; open it again.' });
    preview.lastUsed = Date.now();
    const end = Math.min(preview.limit, offset + PREVIEW_CHUNK);
    if (offset >= end) {
      this.close(previewId);
      return { chunk: '', done: true };
    }
    try {
      const bytes = await readRange(preview.session, preview.bucket, preview.key, preview, offset, end);
      const done = end >= preview.limit;
      if (done) this.close(previewId);
      return { chunk: bytes.toString('base64'), done };
    } catch (error) {
      this.close(previewId);
      throw error;
    }
  }

  close(previewId: string): boolean {
    const preview = this.open.get(previewId);
    if (!preview) return false;
    this.open.delete(previewId);
    preview.session.client.destroy();
    return true;
  }

  private sweep(): void {
    const cutoff = Date.now() - (this.options.idleMs ?? 60_000);
    for (const [id, preview] of this.open) if (preview.lastUsed < cutoff) this.close(id);
  }
}
