import { listObjectsUnder } from './listing';
import { folderPrefix } from './uri';
import { countVersions, type VersionCount } from './versions';

/** The objects (and, in a versioned bucket, the versions) under some prefixes; '' is the whole bucket. */
export interface SizeReport {
  objects: number;
  bytes: number;
  /** Counted when asked for: every version and delete marker, old ones included. */
  versions?: Omit<VersionCount, 'current'>;
}

export interface SizeOptions {
  signal?: AbortSignal;
  /** Counts old versions too (one ListObjectVersions pass gives both). */
  withVersions?: boolean;
  /** The running count after each listing page. */
  onProgress?: (progress: { objects: number; bytes: number }) => void;
}

/** Streams the listing and adds up; memory stays one page whatever the size. */
export async function measure(session: Parameters<typeof listObjectsUnder>[0], bucket: string, prefixes: string[], options: SizeOptions = {}): Promise<SizeReport> {
  const folders = prefixes.map(folderPrefix);
  if (options.withVersions) {
    const counted = await countVersions(session, bucket, { folders }, {
      signal: options.signal,
      onProgress: (c) => options.onProgress?.({ objects: c.current.count, bytes: c.current.bytes }),
    });
    return { objects: counted.current.count, bytes: counted.current.bytes, versions: { versions: counted.versions, deleteMarkers: counted.deleteMarkers, bytes: counted.bytes } };
  }
  const report: SizeReport = { objects: 0, bytes: 0 };
  for (const prefix of folders) {
    for await (const page of listObjectsUnder(session, bucket, prefix, options.signal)) {
      report.objects += page.length;
      for (const object of page) report.bytes += object.size;
      options.onProgress?.({ objects: report.objects, bytes: report.bytes });
    }
  }
  return report;
}
