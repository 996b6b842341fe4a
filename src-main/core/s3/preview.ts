import { GetObjectCommand } from '@aws-sdk/client-s3';
import { KeydeskError } from '../errors';
import { objectDetails, type ObjectDetails } from './objects';
import { s3Call, type S3Session } from './session';

/*
 * What an object's preview may show and how many of its bytes that takes. Main decides, from the
 * object's first bytes and type (never from the renderer's say): images and PDFs by their magic bytes,
 * text as text (the first TEXT_LIMIT bytes of a large one). Bytes reach the renderer in ranged reads of
 * at most CHUNK bytes, pinned to the ETag seen first.
 */

export type PreviewKind = 'image' | 'text' | 'pdf' | 'none';

export const PREVIEW_CHUNK = 256 * 1024;
export const TEXT_LIMIT = 256 * 1024;
export const IMAGE_LIMIT = 20 * 1024 * 1024;
/** A PDF is read whole into the viewer's memory; larger ones are downloaded instead. */
export const PDF_LIMIT = 50 * 1024 * 1024;

export interface PreviewPlan {
  kind: PreviewKind;
  /** For images: the type the renderer labels the bytes with, from their magic bytes. */
  mime?: string;
  size: number;
  etag?: string;
  /** Bytes the preview reads (≤ size). */
  limit: number;
  /** Text larger than the limit: only its start is shown. */
  truncated: boolean;
  /** Why there is no preview, for 'none'. */
  reason?: string;
  /** The first chunk, read to decide the kind; it starts the preview. */
  first: Buffer;
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|yaml|x-yaml|javascript|x-sh|x-shellscript|toml|sql|csv|x-ndjson|ld\+json)|[^/]+\/[^;]*\+(json|xml))/i;
const TEXT_EXTENSIONS = /\.(txt|text|log|md|markdown|csv|tsv|json|ndjson|jsonl|xml|ya?ml|toml|ini|conf|cfg|env|sh|bash|zsh|py|js|mjs|cjs|ts|tsx|jsx|css|scss|html?|svelte|vue|go|rs|java|kt|c|h|cc|cpp|hpp|cs|rb|php|pl|sql|r|swift|lua|tf|gradle|properties|gitignore|dockerfile|srt|vtt)$/i;

export async function planPreview(session: S3Session, bucket: string, key: string, versionId?: string, signal?: AbortSignal): Promise<PreviewPlan> {
  const details = await objectDetails(session, bucket, key, signal, versionId);
  const base = { size: details.size, etag: details.etag, truncated: false };
  if (details.size === 0) return { ...base, kind: 'text', limit: 0, first: Buffer.alloc(0) };
  const first = await readRange(session, bucket, key, details, 0, Math.min(details.size, PREVIEW_CHUNK), signal);
  const image = imageType(first);
  if (image) {
    if (details.size > IMAGE_LIMIT) return { ...base, kind: 'none', limit: 0, first: Buffer.alloc(0), reason: `The image is larger than ${IMAGE_LIMIT / 1024 / 1024} MiB; download it to view it.` };
    return { ...base, kind: 'image', mime: image, limit: details.size, first };
  }
  if (isPdf(first, details.contentType?.toLowerCase().startsWith('application/pdf') || /\.pdf$/i.test(key))) {
    if (details.size > PDF_LIMIT) return { ...base, kind: 'none', limit: 0, first: Buffer.alloc(0), reason: `The PDF is larger than ${PDF_LIMIT / 1024 / 1024} MiB; download it to open it with your PDF reader.` };
    return { ...base, kind: 'pdf', mime: 'application/pdf', limit: details.size, first };
  }
  if (TEXT_TYPES.test(details.contentType ?? '') || TEXT_EXTENSIONS.test(key) || looksLikeText(first)) {
    const limit = Math.min(details.size, TEXT_LIMIT);
    return { ...base, kind: 'text', limit, truncated: details.size > limit, first: first.subarray(0, limit) };
  }
  return { ...base, kind: 'none', limit: 0, first: Buffer.alloc(0), reason: `There is no preview for ${details.contentType ? `"${details.contentType}"` : 'this kind of file'}; download it to open it.` };
}

/** Bytes [start, end) of the object as it was when the preview began (If-Match: a replaced object fails). */
export async function readRange(session: S3Session, bucket: string, key: string, pin: Pick<ObjectDetails, 'etag' | 'versionId'>, start: number, end: number, signal?: AbortSignal): Promise<Buffer> {
  if (end <= start) return Buffer.alloc(0);
  if (end - start > PREVIEW_CHUNK) throw new KeydeskError({ code: 'INVALID_INPUT', message: `A preview reads at most ${PREVIEW_CHUNK / 1024} KiB at a time.` });
  try {
    const result = await s3Call(session, signal, (o) =>
      session.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: pin.versionId, Range: `bytes=${start}-${end - 1}`, IfMatch: pin.etag }), o),
    );
    const bytes = Buffer.from((await result.Body?.transformToByteArray()) ?? new Uint8Array());
    if (bytes.length <= end - start) return bytes;
    // A server that ignores Range sends the whole object (no Content-Range): only the asked-for bytes are kept.
    return result.ContentRange ? bytes.subarray(0, end - start) : bytes.subarray(start, end);
  } catch (error) {
    if (error instanceof KeydeskError && error.providerCode === 'PreconditionFailed') {
      throw new KeydeskError({ code: 'CONFLICT', message: `"${key}" was replaced while it was being previewed; open the preview again.` }, { cause: error });
    }
    throw error;
  }
}

/** The image types a browser shows in <img>, by their first bytes (never by the declared type). */
export function imageType(bytes: Buffer): string | undefined {
  const starts = (hex: string, offset = 0) => bytes.subarray(offset, offset + hex.length / 2).toString('hex') === hex;
  if (starts('89504e470d0a1a0a')) return 'image/png';
  if (starts('ffd8ff')) return 'image/jpeg';
  if (starts('474946383761') || starts('474946383961')) return 'image/gif';
  if (starts('52494646') && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (starts('424d')) return 'image/bmp';
  if (starts('00000100')) return 'image/x-icon';
  if (bytes.subarray(4, 8).toString('latin1') === 'ftyp' && /^(avif|avis)$/.test(bytes.subarray(8, 12).toString('latin1'))) return 'image/avif';
  // SVG shown through <img> runs no scripts and loads nothing else, whatever the file holds.
  const head = bytes.subarray(0, 1024).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(head)) return 'image/svg+xml';
  return undefined;
}

/**
 * A PDF starts with its "%PDF-1.x" header; readers also accept it further into the first 1024 bytes
 * (junk before it is common), which counts here for objects that say they are PDFs.
 */
export function isPdf(bytes: Buffer, declared: boolean): boolean {
  const at = bytes.subarray(0, 1024).toString('latin1').search(/%PDF-[12]\.\d/);
  return at === 0 || (at > 0 && declared);
}

/** No NUL bytes and mostly printable characters in the first chunk. */
function looksLikeText(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, 8192);
  if (sample.includes(0)) return false;
  let control = 0;
  for (const byte of sample) if (byte < 9 || (byte > 13 && byte < 32)) control++;
  return control <= sample.length / 100;
}
