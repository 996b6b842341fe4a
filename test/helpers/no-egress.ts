import { Socket } from 'node:net';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '::ffff:127.0.0.1']);

/**
 * Refuses every TCP connection that would leave this machine, for tests that send generated payloads to
 * provider adapters: a fuzzed "add account" must never reach a real provider's API. Every client in Node
 * (node:http, undici's fetch, the AWS SDK) connects through net.Socket#connect, so this one point covers
 * them; the refusal arrives as the ECONNREFUSED a closed port would give. Returns the undo.
 */
export function blockNetworkEgress(): () => void {
  const connect = Socket.prototype.connect;
  Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
    // net.connect passes normalised [options, callback]; direct calls pass (options | port, host?, callback?).
    const first = (Array.isArray(args[0]) ? args[0][0] : args[0]) as { host?: string; path?: string } | number | string;
    const host = typeof first === 'object' && first ? first.host : typeof first === 'number' ? (args[1] as string | undefined) : undefined;
    const local = typeof first === 'string' || (typeof first === 'object' && first?.path) || host === undefined || LOOPBACK.has(host);
    if (local) return connect.apply(this, args as Parameters<typeof connect>);
    process.nextTick(() => this.destroy(Object.assign(new Error(`connect ECONNREFUSED ${host} (tests do not leave this machine)`), { code: 'ECONNREFUSED' })));
    return this;
  } as typeof connect;
  return () => {
    Socket.prototype.connect = connect;
  };
}
