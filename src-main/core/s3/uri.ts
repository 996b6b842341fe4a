import { KeydeskError } from '../errors';

export function toS3Uri(bucket: string, key = ''): string {
  return `s3://${bucket}/${key}`;
}

/** Accepts `s3://bucket`, `s3://bucket/` and `s3://bucket/some/key`. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/s.exec(uri.trim());
  if (!match) {
    throw new KeydeskError({ code: 'INVALID_INPUT', message: `"${uri}" is not an S3 URI; write it like s3://bucket/folder/file.txt.` });
  }
  return { bucket: match[1], key: match[2] ?? '' };
}

/** A folder prefix always ends in "/"; the bucket root is "". */
export function folderPrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

/** The last path segment of a key or folder prefix, as shown in a listing. */
export function baseName(keyOrPrefix: string): string {
  const trimmed = keyOrPrefix.endsWith('/') ? keyOrPrefix.slice(0, -1) : keyOrPrefix;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** CopySource wants "bucket/key" URL-encoded per segment (slashes kept, spaces and unicode escaped), and a version as its query. */
export function copySource(bucket: string, key: string, versionId?: string): string {
  const source = `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  return versionId === undefined ? source : `${source}?versionId=${encodeURIComponent(versionId)}`;
}
