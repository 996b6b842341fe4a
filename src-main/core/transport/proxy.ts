import { BlockList, isIP } from 'node:net';
import { KeydeskError } from '../errors';
import { registerSecret } from '../redact';
import { normaliseHost } from './certificates';

/*
 * Which proxy a connection goes through. The process has one answer for a URL: HTTPS_PROXY, HTTP_PROXY,
 * ALL_PROXY and NO_PROXY (either case) when set, else the system's settings where the shell provides them
 * (Electron's session.resolveProxy). Connections go through the proxy with CONNECT (see tunnel.ts).
 */

export interface ProxyRoute {
  /** The proxy, without credentials: safe to show and log. */
  url: URL;
  /** `Basic …` from the credentials in the proxy URL, registered with the redacting logger. */
  authorization?: string;
  /** Where the setting came from, for messages: "HTTPS_PROXY", "the system proxy settings". */
  source: string;
}

export type ProxyResolver = (target: URL) => ProxyRoute | undefined | Promise<ProxyRoute | undefined>;

type Env = Record<string, string | undefined>;

/** Until the shell or browser mode sets one: the proxy variables of this process. */
let current: ProxyResolver | undefined;

/** Set once at start by the shell or browser mode (tests set their own). */
export function setProxyResolver(resolver: ProxyResolver): void {
  current = resolver;
}

export function resolveProxy(target: URL): ProxyRoute | undefined | Promise<ProxyRoute | undefined> {
  current ??= envProxyResolver(process.env);
  return current(target);
}

const PROXY_VARIABLES = { 'https:': ['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'], 'http:': ['http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY'] } as const;

export function envHasProxy(env: Env): boolean {
  return [...PROXY_VARIABLES['https:'], ...PROXY_VARIABLES['http:']].some((name) => env[name]?.trim());
}

/** curl's rules: lower case first, then upper case; ALL_PROXY for both schemes; NO_PROXY excludes. */
export function envProxyResolver(env: Env): ProxyResolver {
  const bypass = noProxyMatcher(variable(env, ['no_proxy', 'NO_PROXY'])?.value);
  // A bad setting fails the connections it applies to, with its reason, not the start of the app.
  const routes = new Map<string, () => ProxyRoute | undefined>();
  for (const scheme of ['https:', 'http:'] as const) {
    const found = variable(env, PROXY_VARIABLES[scheme]);
    let route: ProxyRoute | undefined;
    try {
      route = found && parseProxyUrl(found.value, found.name);
    } catch (error) {
      routes.set(scheme, () => {
        throw error;
      });
      continue;
    }
    routes.set(scheme, () => route);
  }
  return (target) => (bypass(target) ? undefined : routes.get(target.protocol)?.());
}

/** The desktop app: proxy variables when any is set (an explicit choice), else the system settings. */
export function desktopProxyResolver(env: Env, systemLookup: (url: string) => Promise<string>): ProxyResolver {
  if (envHasProxy(env)) return envProxyResolver(env);
  const bypass = noProxyMatcher(variable(env, ['no_proxy', 'NO_PROXY'])?.value);
  return async (target) => (bypass(target) ? undefined : parsePacResult(await systemLookup(target.href)));
}

function variable(env: Env, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/** "proxy:3128", "http://user:pass@proxy:3128", "https://proxy" → a route; credentials become a header. */
export function parseProxyUrl(raw: string, source: string): ProxyRoute {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new KeydeskError({ code: 'INVALID_INPUT', message: `The proxy setting ${source} is not a valid URL.`, hint: 'Write it like http://proxy.example.com:3128.' });
  }
  if (url.protocol.startsWith('socks')) {
    throw new KeydeskError({ code: 'UNSUPPORTED', message: `SOCKS proxies are not supported (${source} is ${url.protocol}//${url.host}).`, hint: 'Use an HTTP or HTTPS proxy.' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new KeydeskError({ code: 'INVALID_INPUT', message: `The proxy setting ${source} must start with http:// or https://, not ${url.protocol}//.` });
  }
  let authorization: string | undefined;
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    const token = Buffer.from(`${user}:${password}`).toString('base64');
    registerSecret(password);
    registerSecret(token);
    authorization = `Basic ${token}`;
  }
  return { url: new URL(`${url.protocol}//${url.host}`), authorization, source };
}

/**
 * NO_PROXY as curl and most tools read it: `*` for everything; host names matching themselves and their
 * subdomains (a leading `.` or `*.` changes nothing); IP addresses and CIDR ranges; `:port` limits an
 * entry to that port.
 */
export function noProxyMatcher(value: string | undefined): (target: URL) => boolean {
  const entries = (value ?? '')
    .split(/[\s,]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  if (entries.includes('*')) return () => true;
  const rules = entries.map(parseRule);
  if (rules.length === 0) return () => false;
  return (target) => {
    const host = normaliseHost(target.hostname);
    const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
    const family = isIP(host);
    return rules.some((rule) => {
      if (rule.port !== undefined && rule.port !== port) return false;
      if (rule.range) return family !== 0 && rule.range.check(host, family === 6 ? 'ipv6' : 'ipv4');
      return host === rule.host || (family === 0 && host.endsWith(`.${rule.host}`));
    });
  };
}

interface Rule {
  host: string;
  port?: number;
  range?: BlockList;
}

function parseRule(entry: string): Rule {
  let host = entry;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
  if (bracketed) {
    host = bracketed[1];
    port = bracketed[2] ? Number(bracketed[2]) : undefined;
  } else if (/^[^:]+:\d+$/.test(host)) {
    [host, port] = [host.slice(0, host.lastIndexOf(':')), Number(host.slice(host.lastIndexOf(':') + 1))];
  }
  const cidr = /^(.+)\/(\d{1,3})$/.exec(host);
  if (cidr && isIP(cidr[1])) {
    const range = new BlockList();
    range.addSubnet(cidr[1], Number(cidr[2]), isIP(cidr[1]) === 6 ? 'ipv6' : 'ipv4');
    return { host, port, range };
  }
  return { host: host.replace(/^\*?\./, ''), port };
}

/**
 * Electron's answer ("PROXY host:port; DIRECT", "HTTPS host:port", "DIRECT"): the first route Keydesk can
 * use. SOCKS routes are skipped; a list of nothing else is refused with a reason.
 */
export function parsePacResult(pac: string): ProxyRoute | undefined {
  let socks = false;
  for (const part of pac.split(';')) {
    const [kind, address] = part.trim().split(/\s+/);
    const type = kind?.toUpperCase();
    if (!type || type === 'DIRECT') return undefined;
    if ((type === 'PROXY' || type === 'HTTPS') && address) return parseProxyUrl(`${type === 'HTTPS' ? 'https' : 'http'}://${address}`, 'the system proxy settings');
    if (type.startsWith('SOCKS')) socks = true;
  }
  if (socks) throw new KeydeskError({ code: 'UNSUPPORTED', message: 'The system proxy settings name only a SOCKS proxy, which Keydesk does not support.', hint: 'Set HTTPS_PROXY to an HTTP proxy, or NO_PROXY for hosts reached directly.' });
  return undefined;
}
