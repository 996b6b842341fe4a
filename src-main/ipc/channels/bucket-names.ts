/**
 * The S3 rules for a new bucket's name, as sentences. Zod-free and Node-free so the renderer can check a
 * name as it is typed and main can enforce the same rules in `buckets:create`.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'A bucket name needs 3 to 63 characters.';
  if (!/^[a-z0-9.-]+$/.test(name)) return 'A bucket name holds only lowercase letters, digits, dots and dashes.';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'A bucket name starts and ends with a letter or digit.';
  if (name.includes('..')) return 'A bucket name must not contain two dots in a row.';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'A bucket name must not look like an IP address.';
  if (name.startsWith('xn--') || name.endsWith('-s3alias')) return 'Names starting with "xn--" or ending in "-s3alias" are reserved.';
  return undefined;
}
