import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './rgw';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const specsDir = resolve(repoRoot, '../shared/provider-specs');

export const SPECS_MISSING = '../shared/provider-specs not found: contract tests skipped';

/** The spec's path, or undefined when ../shared is not beside the project. */
export function providerSpec(file: string): string | undefined {
  const path = join(specsDir, file);
  return existsSync(path) ? path : undefined;
}

export interface Violation {
  location: string[];
  severity: string;
  code: string | number;
  message: string;
}

export interface ContractCall {
  method: string;
  /** Path and query as the adapter sent them. */
  path: string;
  body?: unknown;
  status: number;
  violations: Violation[];
  /** Answered by the proxy itself (see `answer`), not by Prism. */
  local?: boolean;
}

export interface LocalRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface LocalAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * Starts `prism mock` on a free port and waits until it answers. Not `--errors`: with it Prism also turns
 * violations in its *own* answers into 500s, and the published specs' examples break their schemas
 * (IONOS `type: group` against `type: object`, `href` placeholders that are not URIs, ECS user IDs typed
 * `format: uri`), which would hide every example. Request checks are the same either way — Prism still
 * answers 401/422 to a request that breaks the spec — and the proxy below fails on every request
 * violation Prism reports, warnings included. Specs whose examples keep to their schemas (GleSYS, written
 * for these tests) pass `errors: true`, so Prism also refuses to serve an answer that breaks the spec.
 */
export async function startPrism(spec: string, options: { errors?: boolean } = {}): Promise<{ url: string; startedInMs: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const started = Date.now();
  const args = ['mock', ...(options.errors ? ['--errors'] : []), '-h', '127.0.0.1', '-p', String(port), spec];
  const child = spawn(join(repoRoot, 'node_modules/.bin/prism'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };
  for (const deadline = Date.now() + 90_000; ; ) {
    if (child.exitCode !== null) throw new Error(`Prism exited while loading ${spec}:\n${output}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return { url, startedInMs: Date.now() - started, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`Prism did not answer within 90 s for ${spec}:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const HOP_HEADERS = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/**
 * Sits between an adapter and Prism and records every call with the violations Prism reports in its
 * `sl-violations` header, so tests can assert that each request the adapter sends keeps to the spec.
 * `answer` serves the few calls a published spec cannot (see the ECS test); `prefer` picks one of
 * several examples via Prism's `Prefer: example=` header where the spec's first example is wrong, or one
 * of the spec's documented answers by status (`{ code: 401 }`: `Prefer: code=401`).
 */
export async function startContractProxy(
  prismUrl: string,
  options: { answer?: (request: LocalRequest) => LocalAnswer | undefined; prefer?: (method: string, path: string) => string | { code: number } | undefined } = {},
): Promise<{ url: string; calls: ContractCall[]; stop: () => Promise<void> }> {
  const calls: ContractCall[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const local = options.answer?.({ method, path, headers: req.headers });
    if (local) {
      calls.push({ method, path, body, status: local.status, violations: [], local: true });
      res.writeHead(local.status, { 'content-type': 'application/json', ...local.headers });
      res.end(local.body === undefined ? '' : JSON.stringify(local.body));
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_HEADERS.has(name) && typeof value === 'string') headers[name] = value;
    const preferred = options.prefer?.(method, path);
    if (preferred) headers.prefer = typeof preferred === 'string' ? `example=${preferred}` : `code=${preferred.code}`;
    try {
      const answer = await fetch(`${prismUrl}${path}`, { method, headers, body: text || undefined });
      calls.push({ method, path, body, status: answer.status, violations: parseViolations(answer.headers.get('sl-violations')) });
      const out: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (!HOP_HEADERS.has(name) && name !== 'content-encoding') out[name] = value;
      });
      res.writeHead(answer.status, out);
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch (error) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`contract proxy: ${(error as Error).message}`);
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/**
 * Prism cuts the header at 8 KB behind "Too many violations! " (the IONOS users example breaks its schema
 * hundreds of times); request violations come first, so the whole entries left are enough.
 */
function parseViolations(header: string | null): Violation[] {
  if (!header) return [];
  return [...header.matchAll(/\{"location":\[[^\]]*\],"severity":"[^"]*","code":(?:"[^"]*"|\d+),"message":"(?:[^"\\]|\\.)*"\}/g)].map((m) => JSON.parse(m[0]) as Violation);
}

/** "GET /path → 401: message" for every request-side violation, so a failing test says what broke. */
export function requestViolations(calls: ContractCall[]): string[] {
  return calls.flatMap((call) =>
    call.violations.filter((v) => v.location[0] === 'request').map((v) => `${call.method} ${call.path} → ${call.status}: ${v.location.join('.')} ${v.message}`),
  );
}
