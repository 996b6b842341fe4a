import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { openSocket } from './connect';
import type { Trust } from './trust';

/*
 * openSocket behind node:http agents, for the AWS SDK (its NodeHttpHandler) and provider API calls
 * (request.ts): sockets already through the proxy and verified, so proxy and trust rules are those of
 * http1.ts. An undici client would take the same socket from openSocket through its `connect` option.
 */

const CONNECT_TIMEOUT_MS = 10_000;

type Callback = (error: Error | null, socket: Duplex) => void;

function connectInto(protocol: string, trust: Trust, options: http.ClientRequestArgs, callback: Callback): void {
  const hostname = String(options.hostname ?? options.host ?? 'localhost');
  const port = Number(options.port) || (protocol === 'https:' ? 443 : 80);
  openSocket({ protocol, hostname, port }, { trust, timeoutMs: CONNECT_TIMEOUT_MS, alpn: protocol === 'https:' ? ['http/1.1'] : undefined }).then(
    ({ socket }) => callback(null, socket),
    (error: Error) => callback(error, undefined as unknown as Duplex),
  );
}

class TrustingHttpAgent extends http.Agent {
  constructor(private readonly trust: Trust) {
    super({ keepAlive: true, maxSockets: 50 });
  }

  override createConnection(options: http.ClientRequestArgs, callback?: Callback): undefined {
    connectInto('http:', this.trust, options, callback!);
    return undefined;
  }
}

class TrustingHttpsAgent extends https.Agent {
  constructor(private readonly trust: Trust) {
    // TLS sessions are not resumed: a resumed session skips the certificate check verifyPeer relies on.
    super({ keepAlive: true, maxSockets: 50, maxCachedSessions: 0 });
  }

  override createConnection(options: https.RequestOptions, callback?: Callback): undefined {
    connectInto('https:', this.trust, options, callback!);
    return undefined;
  }
}

/** For the AWS SDK: `requestHandler: { ...sdkAgents(trust), … }`. */
export function sdkAgents(trust: Trust): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  return { httpAgent: new TrustingHttpAgent(trust), httpsAgent: new TrustingHttpsAgent(trust) };
}

type Agents = ReturnType<typeof sdkAgents>;
const shared = new WeakMap<object, Agents>();
let direct: Agents | undefined;

/** Keep-alive agents kept per trust list (an account's), for calls that come and go without a client to own them. */
export function sharedAgents(trust: Trust): Agents {
  if (!trust?.length) return (direct ??= sdkAgents(undefined));
  let agents = shared.get(trust);
  if (!agents) shared.set(trust, (agents = sdkAgents(trust)));
  return agents;
}
