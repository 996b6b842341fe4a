import { KeydeskError } from '../errors';

/*
 * A bucket that lives in another region than the credential's endpoint: S3 answers 301 PermanentRedirect
 * (region in x-amz-bucket-region, the right host in the body's <Endpoint>) or 307 TemporaryRedirect (a
 * Location). The bucket's endpoint and region are remembered per session, so only the first request
 * pays the detour, and both request paths (the SDK's and object-requests.ts) use them.
 */

export interface BucketLocation {
  /** Origin and base path, like S3Connection.endpoint. */
  endpoint: string;
  region: string;
}

/** What a redirect answer carries; any of it may be missing. */
export interface RedirectAnswer {
  status: number;
  region?: string;
  /** A 307's Location (a full URL). */
  location?: string;
  /** A 301's <Endpoint>: a host name, for virtual-hosted requests with the bucket in front. */
  endpointHost?: string;
}

export function isRedirectStatus(status: number | undefined): boolean {
  return status === 301 || status === 307;
}

export class BucketLocations {
  private readonly known = new Map<string, BucketLocation>();

  constructor(private readonly home: BucketLocation) {}

  get(bucket: string | undefined): BucketLocation {
    return (bucket !== undefined && this.known.get(bucket)) || this.home;
  }

  /**
   * Remembers where a redirect points the bucket and returns that place. An answer that names no other
   * place, or one that would move requests from HTTPS to plain HTTP, is an error a person can act on.
   */
  learn(bucket: string, answer: RedirectAnswer): BucketLocation {
    const from = this.get(bucket);
    const current = new URL(from.endpoint);
    let host: string | undefined;
    let protocol = current.protocol;
    if (answer.location) {
      try {
        const url = new URL(answer.location, from.endpoint);
        host = url.host;
        protocol = url.protocol;
      } catch {
        host = undefined;
      }
    } else if (answer.endpointHost) host = answer.endpointHost.trim();
    else if (answer.region) {
      // Only the region (a HEAD has no body): providers name their regional hosts after the region
      // (s3.eu-west-1.amazonaws.com, s3-eu-west-1.amazonaws.com, nyc3.digitaloceanspaces.com).
      const label = new RegExp(`(^|[.-])${from.region.replace(/[^\w-]/g, '\\$&')}(?=[.-]|$)`);
      if (label.test(current.hostname)) host = current.host.replace(label, `$1${answer.region}`);
    }
    // Virtual-hosted answers put the bucket in front of the region's host.
    if (host?.startsWith(`${bucket}.`)) host = host.slice(bucket.length + 1);
    const region = answer.region || from.region;
    const to: BucketLocation = { endpoint: host ? `${protocol}//${host}${current.pathname.replace(/\/+$/, '')}` : from.endpoint, region };
    if (protocol !== 'https:' && protocol !== 'http:') throw redirectError(bucket, answer, `it points to ${protocol} instead of an S3 endpoint`);
    if (current.protocol === 'https:' && protocol !== 'https:') throw redirectError(bucket, answer, `it would move the requests from HTTPS to unencrypted ${to.endpoint}`);
    if (to.endpoint === from.endpoint && to.region === from.region) throw redirectError(bucket, answer, 'it names neither another endpoint nor another region');
    this.known.set(bucket, to);
    return to;
  }
}

function redirectError(bucket: string, answer: RedirectAnswer, why: string): KeydeskError {
  return new KeydeskError({
    // Not PROVIDER: a redirect Keydesk will not follow is not worth another attempt (retry.ts).
    code: 'UNSUPPORTED',
    provider: 'S3',
    status: answer.status,
    providerCode: answer.status === 301 ? 'PermanentRedirect' : 'TemporaryRedirect',
    message: `The server redirected the requests for bucket "${bucket}" elsewhere${answer.region ? ` (region ${answer.region})` : ''}, but Keydesk did not follow: ${why}.`,
    hint: "Set this credential's endpoint and region to the bucket's own (your provider lists them per region).",
  });
}
