import { z } from 'zod';
import type { PreviewKind } from '../../core/s3/preview';
import { channel } from '../channel';
import { bucketName, credentialId, objectKey } from './s3-fields';
import { versionId } from './versions';

export type { PreviewKind };

export interface PreviewStart {
  previewId: string;
  kind: PreviewKind;
  /** Images: the type their bytes show (PNG, JPEG…), never the type the object claims. */
  mime?: string;
  size: number;
  /** Bytes the preview takes in all. */
  limit: number;
  truncated: boolean;
  reason?: string;
  /** Base64 of the first bytes; the rest comes from `preview:chunk`. */
  chunk: string;
  done: boolean;
}

export const previewChannels = {
  /** Decides in main whether and how an object can be previewed, and sends its first bytes. */
  'preview:open': channel<PreviewStart>()(z.strictObject({ credentialId, bucket: bucketName, key: objectKey, versionId: versionId.optional() })),
  /** The next bytes (base64, at most 256 KiB) from `offset`, up to the preview's limit. */
  'preview:chunk': channel<{ chunk: string; done: boolean }>()(z.strictObject({ previewId: z.uuid(), offset: z.int().min(0) })),
  'preview:close': channel<boolean>()(z.strictObject({ previewId: z.uuid() })),
};
