import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A TCP proxy on 127.0.0.1 that cuts one connection once it has carried `cutAfterBytes` towards the client. */
export interface CuttingProxy {
  port: number;
  /** Connections cut so far. */
  readonly cuts: number;
  close(): Promise<void>;
}

/**
 * Test support: forwards every connection to `target`; the first `times` connections whose download passes
 * `cutAfterBytes` are destroyed on both sides, like a load balancer dropping a long stream.
 */
export async function startCuttingProxy(options: {
  target: { host: string; port: number };
  cutAfterBytes: number;
  times: number;
}): Promise<CuttingProxy> {
  const sockets = new Set<Socket>();
  let cuts = 0;
  const server: Server = createServer((client) => {
    const upstream = createConnection(options.target);
    sockets.add(client).add(upstream);
    let downloaded = 0;
    const destroyBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      downloaded += chunk.length;
      if (cuts < options.times && downloaded > options.cutAfterBytes) {
        cuts++;
        destroyBoth();
        return;
      }
      if (!client.write(chunk)) {
        upstream.pause();
        client.once('drain', () => upstream.resume());
      }
    });
    client.on('close', destroyBoth);
    upstream.on('close', destroyBoth);
    client.on('error', destroyBoth);
    upstream.on('error', destroyBoth);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  return {
    port,
    get cuts() {
      return cuts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
