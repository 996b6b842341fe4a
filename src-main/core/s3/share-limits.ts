/**
 * SigV4 presigned URLs are valid for at most 7 days. Its own module: the IPC contract (bundled into the
 * renderer too) imports it without pulling in the S3 client and the network code behind it.
 */
export const MAX_SHARE_SECONDS = 7 * 24 * 3600;
