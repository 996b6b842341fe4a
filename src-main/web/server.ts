import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { delimiter, isAbsolute, join } from 'node:path';
import { WebSocketServer } from 'ws';
import { homedir } from 'node:os';
import { keepRunningOnUnexpectedErrors } from '../core/crash-guard';
import { cliCommand } from '../core/ecosystem/snippets';
import { resolveHome } from '../core/paths';
import { resolveLinks } from '../core/path-grants';
import { log } from '../core/redact';
import { createAppContext, startRotationWork } from '../ipc/app-context';
import { createHandlers } from '../ipc/handlers';
import { serveBridge, type BridgeLimits } from './bridge';
import { refuse, StaticFiles } from './static-files';

/**
 * Browser mode: the same main-process services under plain Node, the built renderer on 127.0.0.1, and the
 * preload API bridged over a WebSocket. A random token from the printed URL guards every connection.
 */

export interface ServerLimits extends BridgeLimits {
  /** A request's headers must arrive within this (slowloris), the whole request within requestTimeoutMs. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** How often Node checks those two timeouts. */
  checkIntervalMs: number;
  /** Open bridge connections; a page needs one, a few tabs a few. */
  maxClients: number;
}

const LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  checkIntervalMs: 1_000,
  maxClients: 16,
  maxInFlight: 256,
  heartbeatMs: 20_000,
  maxBufferedBytes: 64 * 1024 * 1024,
};

export interface WebServerOptions {
  port?: number;
  rendererDir: string;
  /** out/main/cli.js, which the Use in… snippets run as AWS credential_process. */
  cliScript: string;
  version: string;
  /** The folders uploads may read and downloads may write (KEYDESK_WEB_PATHS); none by default. */
  localFolders?: string[];
  /** Tests shorten timeouts; the defaults suit a person's browser. */
  limits?: Partial<ServerLimits>;
}

export async function startWebServer(options: WebServerOptions): Promise<{ url: string; close: () => Promise<void> }> {
  const localFolders = options.localFolders ?? [];
  const relative = localFolders.find((folder) => !isAbsolute(folder));
  if (relative !== undefined) throw new Error(`KEYDESK_WEB_PATHS: give full paths (${relative} is not one).`);
  const defaultHome = join(homedir(), '.config', 'Keydesk');
  const home = resolveHome(defaultHome);
  const context = createAppContext({
    mode: 'browser',
    version: options.version,
    home,
    defaultHome,
    openLink: async (url) => log.info(`Open this link in your browser: ${url}`),
    cliCommand: cliCommand(process.execPath, options.cliScript),
  });
  // Rotations cut short by a crash, then old keys whose grace period ran out while Keydesk was stopped.
  void startRotationWork(context);
  // Transfers interrupted by the last stop continue where their journals left them.
  void context.transfers.resumePending().catch((error: unknown) => log.warn(`Resuming transfers failed: ${(error as Error).message}`));
  // Whether saved keys still work: checked in the background, spaced apart.
  context.health.start();
  // The desktop app grants what the user picks in native dialogs or drops on the window, outside the page's
  // reach. Here the page is the only UI and could type any path itself, so the grants come from the person
  // who started browser mode instead: typed paths must lie inside these folders.
  for (const folder of [...localFolders, ...(await Promise.all(localFolders.map(resolveLinks)))]) {
    context.pathGrants.grant(folder, 'read', 'folder');
    context.pathGrants.grant(folder, 'write', 'folder');
  }
  const handlers = createHandlers(context);
  const token = randomBytes(24).toString('hex');

  const limits = { ...LIMITS, ...options.limits };
  const files = new StaticFiles(options.rendererDir);
  const server = createServer(
    { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: limits.checkIntervalMs },
    (request, response) => {
      if (!allowedHost(request)) return refuse(response, 421);
      files.serve(request, response).catch((error: unknown) => {
        log.warn(`Serving ${request.url?.slice(0, 200)} failed: ${(error as Error).message}`);
        if (!response.headersSent) refuse(response, 500);
        else response.destroy();
      });
    },
  );
  // A socket that fails (EMFILE at accept, a peer resetting mid-request) must not end the process.
  server.on('error', (error) => log.warn(`Browser-mode server: ${error.message}`));
  server.on('connect', (_request, socket: Duplex) => reject(socket, 405));
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  let port = 0;

  /** DNS rebinding: a page from another site that resolves its own name to 127.0.0.1 still sends its own Host. */
  function allowedHost(request: IncomingMessage): string | undefined {
    if (request.headersDistinct.host?.length !== 1) return undefined;
    const host = request.headers.host?.toLowerCase();
    return host === `127.0.0.1:${port}` || host === `localhost:${port}` ? host : undefined;
  }

  function reject(socket: Duplex, status: 400 | 403 | 405 | 421 | 503): void {
    const text = { 400: 'Bad Request', 403: 'Forbidden', 405: 'Method Not Allowed', 421: 'Misdirected Request', 503: 'Service Unavailable' }[status];
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  server.on('upgrade', (request, socket: Duplex, head) => {
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://127.0.0.1');
    } catch {
      return reject(socket, 400);
    }
    const host = allowedHost(request);
    if (!host) return reject(socket, 421);
    // Origin stops other sites in the same browser from using a leaked token through the user's browser.
    if (url.pathname !== '/bridge' || !tokenMatches(url.searchParams.get('token')) || request.headers.origin !== `http://${host}`) return reject(socket, 403);
    if (sockets.clients.size >= limits.maxClients) return reject(socket, 503);
    sockets.handleUpgrade(request, socket, head, (ws) => serveBridge(ws, handlers, context.events, limits));
  });

  /** Compared in constant time; a token of another length (or in other bytes) simply does not match. */
  function tokenMatches(given: string | null): boolean {
    const expected = Buffer.from(token);
    const candidate = Buffer.from(given ?? '');
    return candidate.length === expected.length && timingSafeEqual(candidate, expected);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  ({ port } = server.address() as { port: number });
  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    close: async () => {
      context.health.stop();
      context.revocations.stop();
      await context.transfers.shutdown();
      await new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Browser mode as `npm run web` starts it (web/main.ts); `outDir` is out/main, where the built entries are. */
export async function runBrowserMode(outDir: string): Promise<void> {
  keepRunningOnUnexpectedErrors();
  try {
    const port = Number(process.env.KEYDESK_WEB_PORT ?? 0);
    const localFolders = (process.env.KEYDESK_WEB_PATHS ?? '').split(delimiter).filter((folder) => folder !== '');
    const rendererDir = join(outDir, '../renderer');
    const { version } = JSON.parse(await readFile(join(outDir, '../../package.json'), 'utf8')) as { version: string };
    const { url, close } = await startWebServer({ port, rendererDir, cliScript: join(outDir, 'cli.js'), version, localFolders });
    log.info(
      localFolders.length > 0
        ? `Uploads and downloads may use files under: ${localFolders.join(', ')}`
        : `Uploads and downloads are off: set KEYDESK_WEB_PATHS to the folders they may use (separated by "${delimiter}").`,
    );
    log.info(`Keydesk browser mode: open ${url}`);
    process.once('SIGINT', () => void close().then(() => process.exit(0)));
    process.once('SIGTERM', () => void close().then(() => process.exit(0)));
  } catch (error) {
    // The crash guard would keep a process alive that serves nothing: say why and stop.
    log.warn(`Keydesk browser mode could not start: ${(error as Error).message}`);
    process.exit(1);
  }
}
