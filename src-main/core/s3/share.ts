import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { KeydeskError } from '../errors';
import { objectDetails } from './objects';
import type { S3Session } from './session';
import { MAX_SHARE_SECONDS } from './share-limits';

export { MAX_SHARE_SECONDS };

export interface ShareLink {
  url: string;
  expiresAt: string;
}

/**
 * A presigned GET link. The object is checked first so nobody is handed a link to something missing. The
 * link is signed with this key: deleting or rotating the key revokes it early.
 */
export async function shareLink(
  session: S3Session,
  bucket: string,
  key: string,
  expiresInSeconds: number,
  options: { downloadName?: string; signal?: AbortSignal } = {},
): Promise<ShareLink> {
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > MAX_SHARE_SECONDS) {
    throw new KeydeskError({
      code: 'INVALID_INPUT',
      message: 'A share link can be valid for 1 second up to 7 days (604800 seconds); S3 signatures do not last longer.',
    });
  }
  await objectDetails(session, bucket, key, options.signal);
  const disposition = options.downloadName ? `attachment; filename*=UTF-8''${encodeURIComponent(options.downloadName)}` : undefined;
  const url = await getSignedUrl(session.client, new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: disposition }), {
    expiresIn: expiresInSeconds,
  });
  return { url, expiresAt: new Date(Date.now() + expiresInSeconds * 1000).toISOString() };
}
