import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ApiContext } from './api-context.js';
import { ApiStatusError } from './api-status-error.js';
import type { PodRuntime } from './pod-runtime-contract.js';
import { sendError } from './rest/http-io.js';
import { serveApiRequest } from './serve-api-request.js';
import { createEtcdGatewayClient, type EtcdTlsOptions } from './storage/etcd-gateway-client.js';
import { createObjectStore, type ObjectStore } from './storage/object-store.js';
import { createWatchHub } from './watch-hub.js';

/** Options of {@link createApiServer}. */
export interface CreateApiServerOptions {
  /** Where objects live: etcd client URLs (failover in order) and client TLS. */
  etcd: { endpoints: string[]; tls?: EtcdTlsOptions; timeoutMs?: number };
  /** The serving certificate and key (PEM), and the CA (PEM) whose client certificates are accepted. */
  tls: { cert: string; key: string; clientCa: string };
  /** Bearer tokens accepted besides client certificates. Default none. */
  tokens?: string[];
  /** Listen address. Default `127.0.0.1`. */
  host?: string;
  /** Listen port. Default 0 (ephemeral). */
  port?: number;
  /** The pod runtime for exec, logs and the kubelet glue. Default none (pods are stored, never run). */
  runtime?: PodRuntime;
}

/** A running simulated API server. */
export interface ApiServer {
  /** `https://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** Direct access to the object store, for controllers and the lab. */
  store: ObjectStore;
  context: ApiContext;
  /** Stops listening, ends open watches and exec sessions. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const unauthenticatedPaths = new Set(['/healthz', '/livez', '/readyz', '/version']);

function authenticated(request: IncomingMessage, tokens: string[]): boolean {
  if ((request.socket as TLSSocket).authorized) return true;
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match !== null && tokens.includes(match[1]!);
}

function unauthorized(): ApiStatusError {
  return new ApiStatusError({ httpCode: 401, reason: 'Unauthorized', message: 'Unauthorized' });
}

/**
 * Starts a simulated Kubernetes API server over HTTPS that stores objects in etcd under the real
 * `/registry/...` keys and speaks the REST conventions kubectl relies on.
 */
export async function createApiServer(options: CreateApiServerOptions): Promise<ApiServer> {
  const etcd = createEtcdGatewayClient(options.etcd);
  const hub = createWatchHub();
  const store = createObjectStore({ etcd, hub });
  const managedNodes = new Set<string>();
  const context: ApiContext = {
    store,
    hub,
    runtime: options.runtime,
    managesNode: (nodeName) => managedNodes.has(nodeName),
  };
  const tokens = options.tokens ?? [];
  let serverAddress = '';

  const server = https.createServer(
    {
      cert: options.tls.cert,
      key: options.tls.key,
      ca: options.tls.clientCa,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (request, response) => {
      const pathname = (request.url ?? '/').split('?')[0]!;
      if (!unauthenticatedPaths.has(pathname) && !authenticated(request, tokens)) {
        sendError(response, unauthorized());
        return;
      }
      void serveApiRequest({ context, request, response, serverAddress });
    },
  );
  const sockets = new Set<import('node:stream').Duplex>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  serverAddress = `${address.address}:${address.port}`;
  const url = `https://${serverAddress}`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      etcd.close();
    })();
    return closed;
  };

  return {
    url,
    port: address.port,
    store,
    context,
    close,
    [Symbol.asyncDispose]: close,
  };
}
