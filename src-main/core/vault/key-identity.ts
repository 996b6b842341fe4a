/**
 * One key, one identity: a key is known by the service it works at and its access key ID, wherever it
 * shows up (saved credentials, a provider account's keys, files found by import). Region and addressing
 * style are how a client talks to the service, not which key it is, so they take no part.
 */

export interface KeyRef {
  endpoint: string;
  accessKeyId: string;
}

/**
 * Services whose keys work at every one of their regional (and virtual-host) endpoints: all their hosts
 * are one service. AWS keys are global to IAM; a DigitalOcean Spaces key works in every datacenter.
 */
const SHARED_KEY_SERVICES: [RegExp, string][] = [
  [/(?:^|\.)s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com$/, 's3.amazonaws.com'],
  [/(?:^|\.)s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com\.cn$/, 's3.amazonaws.com.cn'],
  [/(?:^|\.)digitaloceanspaces\.com$/, 'digitaloceanspaces.com'],
];

const DEFAULT_PORTS = new Set(['', '80', '443']);

/**
 * The service an endpoint URL names, for comparison only (never for requests): scheme, host case, a
 * trailing dot, default ports and trailing slashes do not matter; another host, port or path does.
 * http and https on their default ports are one service: the same gateway under both schemes.
 */
export function endpointIdentity(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    return endpoint.trim().toLowerCase();
  }
  const host = url.hostname.replace(/\.$/, '');
  const shared = SHARED_KEY_SERVICES.find(([pattern]) => pattern.test(host));
  if (shared) return shared[1];
  const port = DEFAULT_PORTS.has(url.port) ? '' : `:${url.port}`;
  return `${host}${port}${url.pathname.replace(/\/+$/, '')}`;
}

/** Equal for the same key, whichever of its endpoints' spellings was saved. */
export function keyIdentity(key: KeyRef): string {
  return `${key.accessKeyId.trim()} ${endpointIdentity(key.endpoint)}`;
}

export function sameKey(a: KeyRef, b: KeyRef): boolean {
  return keyIdentity(a) === keyIdentity(b);
}
