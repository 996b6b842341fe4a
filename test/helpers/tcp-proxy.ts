import { createServer, connect, type Socket } from 'node:net';
import { Agent, createServer as createHttpServer, request as httpRequest, type IncomingMessage } from 'node:http';

/**
 * What a network can do to the bytes between a client and a server. Latency and the bandwidth cap apply to
 * every connection while set; `trip` happens on the next `connections` connections (default: every one)
 * once `afterBytes` have passed in `direction`, and then the network is healthy again.
 */
export interface TcpFaults {
  /** Added to every chunk, both ways. */
  latencyMs?: number;
  /** Bytes per second each way, shared by all connections (one link). */
  bytesPerSecond?: number;
  trip?: {
    /** reset: RST to both sides; close: a clean end (a truncated answer); stall: nothing more, connection left open. */
    kind: 'reset' | 'close' | 'stall';
    afterBytes: number;
    /** Which bytes are counted: the server's answer (default) or the client's request (an upload body). */
    direction?: 'response' | 'request';
    connections?: number;
  };
}

type Pair = { client: Socket; upstream: Socket; tripped: boolean };

/**
 * A TCP relay to a local port that a test can cut (connections reset, new ones refused), freeze (bytes
 * held in both directions, connections left open: a peer that went silent) and restore: the network
 * trouble between a page and browser mode, without stopping the server behind it. `inject()` adds the
 * trouble between Keydesk and an S3 server: latency, a bandwidth cap, and a reset, truncation or stall in
 * the middle of a body.
 */
export async function startTcpProxy(targetPort: number) {
  const pairs = new Set<Pair>();
  let mode: 'open' | 'cut' | 'frozen' = 'open';
  let faults: TcpFaults = {};
  let tripsLeft = Infinity;
  /** `sentBytes`/`answeredBytes`: what went on towards the server / back to clients since the last inject(). */
  const stats = { connections: 0, trips: 0, sentBytes: 0, answeredBytes: 0 };
  const linkFreeAt = { request: 0, response: 0 };
  const server = createServer((client) => {
    client.on('error', () => {});
    if (mode === 'cut') return void client.destroy();
    stats.connections++;
    const upstream = connect(targetPort, '127.0.0.1');
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    const pair: Pair = { client, upstream, tripped: false };
    pairs.add(pair);
    const trip = (kind: 'reset' | 'close' | 'stall') => {
      pair.tripped = true;
      stats.trips++;
      if (kind === 'reset') {
        client.resetAndDestroy();
        upstream.destroy();
      } else if (kind === 'close') {
        client.end();
        upstream.destroy();
      }
    };
    relay(client, upstream, 'request');
    relay(upstream, client, 'response');
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', () => {
      // A stalled connection stays open whatever the server does: the client sees silence.
      if (!(pair.tripped && faults.trip?.kind === 'stall')) end();
    });

    /** Moves bytes one way in order, delayed and paced as the faults say, and trips at the set byte. */
    function relay(from: Socket, to: Socket, direction: 'request' | 'response') {
      const queue: { chunk: Buffer; due: number }[] = [];
      let moved = 0;
      let pumping = false;
      from.on('data', (chunk) => {
        if (mode === 'frozen') return; // dropped: the far side sees silence, not a close
        queue.push({ chunk, due: Date.now() + (faults.latencyMs ?? 0) });
        if (queue.length > 16) from.pause();
        void pump();
      });
      from.on('end', () => {
        queue.push({ chunk: Buffer.alloc(0), due: Date.now() + (faults.latencyMs ?? 0) });
        void pump();
      });
      async function pump() {
        if (pumping) return;
        pumping = true;
        while (queue.length > 0 && !pair.tripped && !to.destroyed) {
          const next = queue[0];
          if (next.due > Date.now()) await wait(next.due - Date.now());
          if (pair.tripped) break;
          if (next.chunk.length === 0) {
            queue.shift();
            to.end();
            continue;
          }
          const rule = faults.trip && (faults.trip.direction ?? 'response') === direction && tripsLeft > 0 ? faults.trip : undefined;
          let slice = next.chunk;
          if (rule && moved + slice.length >= rule.afterBytes) slice = slice.subarray(0, Math.max(0, rule.afterBytes - moved));
          const rate = faults.bytesPerSecond;
          if (rate) slice = slice.subarray(0, Math.max(1, Math.round(rate / 20)));
          if (slice.length > 0) {
            to.write(slice);
            moved += slice.length;
            stats[direction === 'request' ? 'sentBytes' : 'answeredBytes'] += slice.length;
            next.chunk = next.chunk.subarray(slice.length);
            if (rate) {
              // One link shared by every connection: each slice takes its turn on it.
              linkFreeAt[direction] = Math.max(Date.now(), linkFreeAt[direction]) + (slice.length / rate) * 1000;
              await wait(linkFreeAt[direction] - Date.now());
            }
          }
          if (rule && moved >= rule.afterBytes) {
            tripsLeft--;
            trip(rule.kind);
            break;
          }
          if (next.chunk.length === 0) queue.shift();
          if (queue.length <= 4) from.resume();
        }
        pumping = false;
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    stats,
    /** Sets the faults for connections from now on (latency and bandwidth also for open ones). */
    inject(next: TcpFaults) {
      faults = next;
      tripsLeft = next.trip?.connections ?? Infinity;
      stats.trips = 0;
      stats.sentBytes = 0;
      stats.answeredBytes = 0;
    },
    cut() {
      mode = 'cut';
      for (const { client, upstream } of pairs) {
        client.resetAndDestroy();
        upstream.destroy();
      }
    },
    freeze() {
      mode = 'frozen';
    },
    restore() {
      mode = 'open';
      faults = {};
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const { client, upstream } of pairs) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

export interface CannedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface AnswerRule {
  /** Which requests the rule answers (default: every one). */
  match?: (request: IncomingMessage) => boolean;
  /** How many requests it answers before it lets them through (default: every one). */
  times?: number;
  answer: CannedAnswer | ((request: IncomingMessage) => CannedAnswer);
}

/**
 * An HTTP reverse proxy to a local port that answers some requests itself: an S3 server having a bad
 * minute (503 SlowDown with Retry-After, bursts of 500) or a bucket that lives in another region
 * (301/307 with x-amz-bucket-region). Everything else reaches the server as sent (Host included, so
 * signatures hold).
 */
export async function startHttpFaultProxy(targetPort: number) {
  let rules: (AnswerRule & { left: number })[] = [];
  const stats = { answered: 0, forwarded: 0, requests: [] as string[] };
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const server = createHttpServer((request, response) => {
    stats.requests.push(`${request.method} ${request.url}`);
    const rule = rules.find((r) => r.left > 0 && (r.match?.(request) ?? true));
    if (rule) {
      rule.left--;
      stats.answered++;
      const canned = typeof rule.answer === 'function' ? rule.answer(request) : rule.answer;
      request.resume();
      request.on('end', () => {
        const body = Buffer.from(canned.body ?? '');
        response.writeHead(canned.status, { 'content-length': String(body.length), ...canned.headers });
        response.end(body);
      });
      return;
    }
    stats.forwarded++;
    const upstream = httpRequest({ host: '127.0.0.1', port: targetPort, method: request.method, path: request.url, headers: request.headers, agent }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(response);
    });
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  server.keepAliveTimeout = 3_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    stats,
    /** Replaces the rules (and counts answers from zero); requests no rule takes go through. */
    answer(...next: AnswerRule[]) {
      rules = next.map((rule) => ({ ...rule, left: rule.times ?? Infinity }));
      if (next.length > 0) stats.answered = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An S3 error document, as a canned answer's body. */
export function s3ErrorXml(code: string, message: string, extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>fault-proxy</RequestId></Error>`;
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
