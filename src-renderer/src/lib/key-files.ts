import type { NewAccessKey, S3Location } from '../../../src-main/ipc/contract';

export type KeyFileFormat = 'csv' | 'json';

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The key pair as a file, built in the renderer from the show-once data (nothing is written by main). */
export function keyPairFile(key: NewAccessKey, location: S3Location | undefined, format: KeyFileFormat): { name: string; blob: Blob } {
  const endpoint = location?.endpoint;
  const region = location?.region ?? key.region;
  const base = `keydesk-${key.accessKeyId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  if (format === 'csv') {
    const rows = [
      ['Access key ID', 'Secret access key', 'Endpoint', 'Region', 'Description'],
      [key.accessKeyId, key.secretAccessKey, endpoint ?? '', region ?? '', key.description ?? ''],
    ];
    const text = rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
    return { name: `${base}.csv`, blob: new Blob([text], { type: 'text/csv' }) };
  }
  const data = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, endpoint, region, owner: key.owner, description: key.description };
  return { name: `${base}.json`, blob: new Blob([JSON.stringify(data, null, 2) + '\n'], { type: 'application/json' }) };
}

export function downloadFile({ name, blob }: { name: string; blob: Blob }): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
