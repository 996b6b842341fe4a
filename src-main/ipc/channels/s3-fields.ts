import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { bucketNameProblem } from './bucket-names';

// Field rules shared by the bucket, object and transfer channels. Names come from the renderer (or a
// compromised page), so main checks them before any request is signed.

const CONTROL = /[\u0000-\u001f\u007f]/;
const utf8Length = (value: string) => new TextEncoder().encode(value).length;

export const credentialId = z.uuid();

/** An existing bucket: lax, because legacy buckets (and Ceph) allow capitals and underscores. */
export const bucketName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9._-]+$/, 'a bucket name holds only letters, digits, dots, dashes and underscores');

/** A new bucket: the S3 naming rules, so the user learns what is wrong before the server says "InvalidBucketName". */
export const newBucketName = z.string().superRefine((name, ctx) => {
  const problem = bucketNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const region = z.string().min(1).max(64).regex(/^[a-z0-9-]+$/i, 'letters, digits and dashes only');

/** S3 keys are at most 1024 bytes of UTF-8; control characters are refused (they break listings, URLs and terminals). */
export const objectKey = z
  .string()
  .min(1)
  .max(1024)
  .refine((key) => utf8Length(key) <= 1024, 'an object key has at most 1024 bytes')
  .refine((key) => !CONTROL.test(key), 'an object key must not contain control characters');

/** A folder prefix; '' is the bucket root. */
export const prefix = z
  .string()
  .max(1024)
  .refine((key) => utf8Length(key) <= 1024, 'a prefix has at most 1024 bytes')
  .refine((key) => !CONTROL.test(key), 'a prefix must not contain control characters');

/** A non-root folder ("photos/2024/"). */
export const folder = objectKey.refine((key) => key.endsWith('/'), 'a folder ends in "/"');

/** A path on the machine running main; relative paths would resolve against whatever its cwd happens to be. */
export const localPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((path) => !path.includes('\0'), 'a path must not contain NUL')
  .refine((path) => isAbsolute(path), 'give the full path (starting with / or a drive letter)');

/** Chosen by the renderer so it can cancel and follow the operation before the request returns. */
export const operationId = z.uuid();
