import { Agent, fetch, type buildConnector, type Dispatcher } from 'undici';
import { CONNECT_TIMEOUT_MS } from './agents';
import { openSocket, type Endpoint } from './connect';
import type { Trust } from './trust';

/*
 * openSocket behind undici, for provider API calls (and any undici client later): sockets already through
 * the proxy and verified. Loaded on the first provider call (see providers/http.ts): undici takes longer
 * to load than the rest of main's network code, and most runs never call a provider.
 */

export { fetch };

/** An undici connector over openSocket: provider API calls here, and any undici client later. */
export function undiciConnector(trust: Trust): buildConnector.connector {
  return (options, callback) => {
    const endpoint: Endpoint = { protocol: options.protocol, hostname: options.hostname, port: Number(options.port) || (options.protocol === 'https:' ? 443 : 80) };
    openSocket(endpoint, { trust, timeoutMs: CONNECT_TIMEOUT_MS, alpn: options.protocol === 'https:' ? ['http/1.1'] : undefined }).then(
      ({ socket }) => callback(null, socket),
      (error: Error) => callback(error, null),
    );
  };
}

const dispatchers = new WeakMap<object, Dispatcher>();
let direct: Dispatcher | undefined;

/** One keep-alive dispatcher per trust list (an account's), reused across its calls. */
export function dispatcherFor(trust: Trust): Dispatcher {
  if (!trust?.length) return (direct ??= new Agent({ connect: undiciConnector(undefined) }));
  let dispatcher = dispatchers.get(trust);
  if (!dispatcher) {
    dispatcher = new Agent({ connect: undiciConnector(trust) });
    dispatchers.set(trust, dispatcher);
  }
  return dispatcher;
}
