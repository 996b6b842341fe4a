import http from 'node:http';
import https from 'node:https';
import { sharedAgents } from './agents';
import type { Trust } from './trust';

/*
 * One HTTP request with a text answer, for API calls outside the AWS SDK (provider management APIs,
 * Swift's /info): through the same agents, so the proxy and the endpoint's trust apply. Redirects are not
 * followed: an API that redirects is a wrong URL, and credentials must not follow it elsewhere.
 */

export interface TextResponse {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
}

export interface TextRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  trust: Trust;
}

const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export function requestText(url: string, options: TextRequest): Promise<TextResponse> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const agents = sharedAgents(options.trust);
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request(
      target,
      { method: options.method, headers: options.headers, agent: secure ? agents.httpsAgent : agents.httpAgent, signal: options.signal },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) request.destroy(Object.assign(new Error('The server answered with more than 16 MiB.'), { code: 'EMSGSIZE' }));
          else chunks.push(chunk);
        });
        response.on('end', () => {
          const headers = response.headers;
          resolve({
            status: response.statusCode ?? 0,
            headers: { get: (name) => [headers[name.toLowerCase()] ?? []].flat().join(', ') || null },
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
        response.on('error', reject);
        response.on('close', () => {
          if (!response.complete) reject(Object.assign(new Error('The connection closed before the answer was complete.'), { code: 'ECONNRESET' }));
        });
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}
