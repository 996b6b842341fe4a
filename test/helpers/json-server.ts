import { createServer, type IncomingHttpHeaders } from 'node:http';

export interface RecordedRequest {
  method: string;
  /** Path with query. */
  path: string;
  headers: IncomingHttpHeaders;
  body?: unknown;
}

export interface JsonAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A real HTTP server on 127.0.0.1 that answers JSON from `handle` and records every request, for the
 * adapters' unit tests: status sequences, limits and error bodies in the shapes providers document.
 */
export async function startJsonServer(handle: (request: RecordedRequest) => JsonAnswer | Promise<JsonAnswer>) {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const request: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: text ? JSON.parse(text) : undefined };
    requests.push(request);
    try {
      const answer = await handle(request);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`test server: ${(error as Error).message}`);
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
