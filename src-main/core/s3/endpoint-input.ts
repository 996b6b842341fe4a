/**
 * Reading an endpoint as a person types it: "127.0.0.1:7651" and "s3.example.com" are endpoints too.
 * Node-free and zod-free, so the forms show the same reading (and the same reasons) that main applies.
 *
 * Without a scheme: http for this computer and the local network (loopback and private addresses,
 * `localhost`, `*.local`, single-label names like `minio`), where servers rarely have certificates;
 * https for everything else, so a public service is never spoken to in clear text by accident.
 */

export interface EndpointReading {
  /** The URL Keydesk will use: scheme, host, port and path, without trailing slashes. */
  endpoint?: string;
  /** Why the input cannot be used, as a sentence that says what to enter. */
  problem?: string;
  /** The input had no scheme and this one was added. */
  addedScheme?: 'http' | 'https';
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

export function readEndpoint(input: string): EndpointReading {
  const text = input.trim();
  if (!text) return { problem: 'Enter the endpoint, like https://s3.example.com.' };
  const invalid = { problem: `"${text}" is not a valid URL. Enter the endpoint like https://s3.example.com.` };
  // URL parsers differ on spaces in a host (Chromium escapes them, Node refuses): refused here for both.
  if (/\s/.test(text)) return invalid;
  let addedScheme: EndpointReading['addedScheme'];
  let candidate = text;
  if (!SCHEME.test(text)) {
    addedScheme = isLocalHost(hostPart(text)) ? 'http' : 'https';
    candidate = `${addedScheme}://${text}`;
  }
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return invalid;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { problem: `The endpoint must start with https:// or http://, not ${url.protocol}//.` };
  }
  if (!url.hostname) return { problem: `"${text}" names no server. Enter the endpoint like https://s3.example.com.` };
  if (!/^(?:\[[0-9a-f:.]+\]|[a-z0-9._-]+)$/i.test(url.hostname)) return invalid;
  if (url.username || url.password) return { problem: 'The endpoint must not contain a user name or password: enter those as the access key and secret.' };
  if (url.search || url.hash) return { problem: 'The endpoint must not contain a query string or fragment.' };
  return { endpoint: url.origin + url.pathname.replace(/\/+$/, ''), addedScheme };
}

/** What the form says under the field once it has a usable value, e.g. which scheme was assumed. */
export function describeReading(reading: EndpointReading): string | undefined {
  if (!reading.endpoint || !reading.addedScheme) return undefined;
  return reading.addedScheme === 'http'
    ? `Keydesk will connect to ${reading.endpoint} (no scheme given: http for this computer and local network addresses; type https:// to use TLS).`
    : `Keydesk will connect to ${reading.endpoint} (no scheme given: https; type http:// for a server without TLS).`;
}

/** "host:port/path" → "host" (with IPv6 brackets removed). */
function hostPart(text: string): string {
  const authority = text.split(/[/?#]/, 1)[0];
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']') === -1 ? undefined : host.indexOf(']'));
  return host.replace(/:\d*$/, '');
}

export function isLocalHost(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost') || name.endsWith('.local')) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  if (name.includes(':')) return name === '::1' || /^f[cd][0-9a-f]{0,2}:/.test(name) || /^fe[89ab][0-9a-f]?:/.test(name);
  // A single-label name (a container or a machine on the LAN); a bare number is not a name.
  return /^[a-z0-9_-]+$/.test(name) && !/^\d+$/.test(name);
}
