import { createServer, connect, type Socket } from 'node:net';

/**
 * A TCP relay to a local port that a test can cut (connections reset, new ones refused), freeze (bytes
 * held in both directions, connections left open: a peer that went silent) and restore: the network
 * trouble between a page and browser mode, without stopping the server behind it.
 */
export async function startTcpProxy(targetPort: number) {
  const pairs = new Set<[Socket, Socket]>();
  let mode: 'open' | 'cut' | 'frozen' = 'open';
  const server = createServer((client) => {
    client.on('error', () => {});
    if (mode === 'cut') return void client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const relay = (from: Socket, to: Socket) =>
      from.on('data', (chunk) => {
        if (mode === 'frozen') return; // dropped: the far side sees silence, not a close
        to.write(chunk);
      });
    relay(client, upstream);
    relay(upstream, client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    cut() {
      mode = 'cut';
      for (const [client, upstream] of pairs) {
        client.resetAndDestroy();
        upstream.destroy();
      }
    },
    freeze() {
      mode = 'frozen';
    },
    restore() {
      mode = 'open';
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [client, upstream] of pairs) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
