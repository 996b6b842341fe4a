import { SignatureV4 } from '@smithy/signature-v4';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { Sha256 } from '../../src-main/core/s3/sigv4';

/** Headers the proxy signs anew or that belong to one hop only. */
const DROPPED = new Set(['authorization', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token', 'host', 'connection', 'keep-alive', 'transfer-encoding', 'expect']);

/**
 * A proxy in front of a real S3 server that renames query parameters and signs each request again with
 * the same key: behind it, RGW becomes a server that does not know those sub-resources, and answers them
 * as it answers any unknown one (GET with the object itself, PUT by replacing the object's bytes).
 */
export async function startRenamingProxy(target: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string }, renames: Record<string, string>) {
  const upstream = new URL(target.endpoint);
  const signer = new SignatureV4({ service: 's3', region: target.region, credentials: target, sha256: Sha256, uriEscapePath: false });
  const server = createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', upstream);
      const query: Record<string, string> = {};
      for (const [name, value] of url.searchParams) query[renames[name] ?? name] = value;
      const headers: Record<string, string> = { host: upstream.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
      for (const [name, value] of Object.entries(req.headers)) if (!DROPPED.has(name) && typeof value === 'string') headers[name] = value;
      const signed = await signer.sign({ method: req.method ?? 'GET', protocol: upstream.protocol, hostname: upstream.hostname, port: Number(upstream.port), path: url.pathname, query, headers, body });
      const search = new URLSearchParams(Object.entries(query)).toString().replace(/=(&|$)/g, '$1');
      const answer = await request(`${upstream.origin}${url.pathname}${search ? `?${search}` : ''}`, { method: req.method as 'GET', headers: signed.headers, body: body.length ? body : undefined });
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !DROPPED.has(name)) out[name] = value;
      res.writeHead(answer.statusCode, out);
      for await (const chunk of answer.body) res.write(chunk);
      res.end();
    } catch (error) {
      res.writeHead(502).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
