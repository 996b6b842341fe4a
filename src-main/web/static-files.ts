import { realpath, readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../shell/security';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  // pdf.js's worker: a module worker must come with a JavaScript type.
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
};

const HEADERS = { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };

/**
 * The built renderer, read-only: GET and HEAD of files inside `root` and nothing else. Paths that do not
 * decode, carry NUL or backslashes, climb out with `..` (in any encoding), or lead out through a symbolic
 * link are refused before the file system sees them.
 */
export class StaticFiles {
  private readonly realRoot: Promise<string>;

  constructor(root: string) {
    this.realRoot = realpath(root).catch(() => root);
  }

  async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(response, 405, { Allow: 'GET, HEAD' });
    const file = await this.resolve(request.url ?? '/');
    if (typeof file === 'number') return refuse(response, file);
    const body = await readFile(file).catch(() => undefined);
    if (!body) return refuse(response, 404);
    response.writeHead(200, { ...HEADERS, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  /** The real path of the file a request URL names, or the status to refuse it with. */
  private async resolve(url: string): Promise<string | number> {
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(url, 'http://127.0.0.1').pathname);
    } catch {
      return 400; // an absolute URL that does not parse, or percent-encoding that is not UTF-8
    }
    if (pathname.includes('\0') || pathname.includes('\\')) return 400;
    const root = await this.realRoot;
    const file = normalize(join(root, pathname === '/' ? 'index.html' : pathname));
    if (!file.startsWith(root + sep)) return 404;
    const real = await realpath(file).catch(() => undefined);
    if (!real || !real.startsWith(root + sep)) return 404;
    const info = await stat(real).catch(() => undefined);
    return info?.isFile() ? real : 404;
  }
}

export function refuse(response: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...HEADERS, ...headers, 'Content-Length': 0 }).end();
}
