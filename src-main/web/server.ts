import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { delimiter, extname, isAbsolute, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { homedir } from 'node:os';
import { cliCommand } from '../core/ecosystem/snippets';
import { resolveHome } from '../core/paths';
import { resolveLinks } from '../core/path-grants';
import { log } from '../core/redact';
import { createAppContext } from '../ipc/app-context';
import { createHandlers } from '../ipc/handlers';
import { dispatch } from '../ipc/dispatch';
import { CONTENT_SECURITY_POLICY } from '../shell/security';

/**
 * Browser mode: the same main-process services under plain Node, the built renderer on 127.0.0.1, and the
 * preload API bridged over a WebSocket. A random token from the printed URL guards every connection.
 */

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export interface WebServerOptions {
  port?: number;
  rendererDir: string;
  version: string;
  /** The folders uploads may read and downloads may write (KEYDESK_WEB_PATHS); none by default. */
  localFolders?: string[];
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
    cliCommand: cliCommand(process.execPath, join(__dirname, 'cli.js')),
  });
  // Rotations cut short by a crash; a new rotation of the same key settles its own first anyway.
  void context.rotation.recoverRotations();
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

  const server = createServer((request, response) => void serveStatic(options.rendererDir, request, response));
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  let origin = '';

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const given = Buffer.from(url.searchParams.get('token') ?? '');
    const expected = Buffer.from(token);
    const tokenOk = given.length === expected.length && timingSafeEqual(given, expected);
    // Origin stops other sites in the same browser from using a leaked token through the user's browser.
    if (url.pathname !== '/bridge' || !tokenOk || request.headers.origin !== origin) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => bridge(ws));
  });

  function bridge(ws: WebSocket): void {
    const unsubscribe = context.events.subscribe((event, payload) => ws.send(JSON.stringify({ event, payload })));
    ws.on('close', unsubscribe);
    ws.on('message', async (data) => {
      let message: { id?: unknown; channel?: unknown; payload?: unknown };
      try {
        message = JSON.parse(String(data));
      } catch {
        return;
      }
      if (typeof message.id !== 'number') return;
      const envelope = await dispatch(handlers, message.channel, message.payload);
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: message.id, envelope }));
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    close: async () => {
      context.health.stop();
      await context.transfers.shutdown();
      await new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        server.close(() => resolve());
      });
    },
  };
}

async function serveStatic(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const headers = { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, headers).end();
    return;
  }
  const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
  const file = normalize(join(root, pathname === '/' ? 'index.html' : pathname));
  if (!file.startsWith(root + sep)) {
    response.writeHead(404, headers).end();
    return;
  }
  try {
    const body = await readFile(file);
    response.writeHead(200, { ...headers, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    response.writeHead(404, headers).end();
  }
}

// Entry point for `npm run web` (out/main/web.js).
if (process.argv[1] && /web\.(js|mjs)$/.test(process.argv[1])) {
  const port = Number(process.env.KEYDESK_WEB_PORT ?? 0);
  const localFolders = (process.env.KEYDESK_WEB_PATHS ?? '').split(delimiter).filter((folder) => folder !== '');
  const rendererDir = join(__dirname, '../renderer');
  const { version } = JSON.parse(await readFile(join(__dirname, '../../package.json'), 'utf8')) as { version: string };
  const { url, close } = await startWebServer({ port, rendererDir, version, localFolders });
  log.info(
    localFolders.length > 0
      ? `Uploads and downloads may use files under: ${localFolders.join(', ')}`
      : `Uploads and downloads are off: set KEYDESK_WEB_PATHS to the folders they may use (separated by "${delimiter}").`,
  );
  log.info(`Keydesk browser mode: open ${url}`);
  process.once('SIGINT', () => void close().then(() => process.exit(0)));
  process.once('SIGTERM', () => void close().then(() => process.exit(0)));
}
