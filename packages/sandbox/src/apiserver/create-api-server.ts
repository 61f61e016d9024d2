import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { EtcdDrError } from '@etcd-dr/sdk';
import { WebSocketServer } from 'ws';
import type { ApiContext } from './api-context.js';
import { ApiStatusError } from './api-status-error.js';
import type { KubeletOptions } from './controllers/create-kubelet.js';
import { type Controllers, startControllers } from './controllers/start-controllers.js';
import { chooseExecProtocol } from './exec/exec-channels.js';
import { handleExecUpgrade } from './exec/handle-exec-upgrade.js';
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
  /** Run the in-process controllers (StatefulSet, Deployment, scheduler). Default true. */
  controllers?: boolean;
  /**
   * Run pods bound to these nodes through `runtime` (needs `runtime`): volumes under `dataDir`.
   * Default none.
   */
  kubelet?: Omit<KubeletOptions, 'context' | 'runtime' | 'trigger'>;
  /** Controllers' periodic resync in milliseconds. Default 2000. */
  resyncMs?: number;
  /** Sees controller failures (they are retried); default ignores them. */
  onControllerError?: (error: unknown) => void;
}

/** A running simulated API server. */
export interface ApiServer {
  /** `https://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** Direct access to the object store, for controllers and the lab. */
  store: ObjectStore;
  context: ApiContext;
  /**
   * Stops accepting connections (clients get "connection refused", as while a control plane's API server
   * pods are down; open connections, watches and exec sessions are cut) or listens again on the same port.
   * The store and controllers keep running. Rejects when the port was taken in between.
   */
  setListening(listening: boolean): Promise<void>;
  /** True while it accepts connections. */
  isListening(): boolean;
  /** The running controllers, when enabled. */
  controllers: Controllers | undefined;
  /** Stops the controllers and listening, ends open watches and exec sessions (the runtime stays up). */
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
  if (options.kubelet && !options.runtime) {
    throw new EtcdDrError({
      code: 'APISERVER_KUBELET_WITHOUT_RUNTIME',
      message: 'createApiServer: the kubelet option needs a pod runtime to run pods with',
      remedy: 'pass `runtime` (a PodRuntime) together with `kubelet`, or drop `kubelet`',
    });
  }
  if (options.etcd.endpoints.length === 0) {
    throw new EtcdDrError({
      code: 'APISERVER_NO_ETCD_ENDPOINTS',
      message: 'createApiServer: etcd.endpoints is empty',
      remedy: 'pass at least one etcd client URL, e.g. https://127.0.0.1:2379',
    });
  }
  const etcd = createEtcdGatewayClient(options.etcd);
  const hub = createWatchHub();
  const store = createObjectStore({ etcd, hub });
  let controllers: Controllers | undefined;
  const context: ApiContext = {
    store,
    hub,
    runtime: options.runtime,
    managesNode: (nodeName) => controllers?.kubelet?.managesNode(nodeName) ?? false,
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
  const webSocketServer = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => chooseExecProtocol(protocols),
  });
  server.on('upgrade', (request, socket, head) => {
    if (!authenticated(request, tokens)) {
      const body = JSON.stringify(unauthorized().toStatus());
      socket.end(
        `HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    void handleExecUpgrade({ context, webSocketServer, request, socket, head });
  });
  const sockets = new Set<import('node:stream').Duplex>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const listen = (port: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stopListening = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const client of webSocketServer.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
    });
  const setListening = async (listening: boolean): Promise<void> => {
    if (listening === server.listening) return;
    if (listening) await listen(address.port);
    else await stopListening();
  };

  try {
    await listen(options.port ?? 0);
  } catch (error) {
    etcd.close();
    throw new EtcdDrError({
      code: 'APISERVER_LISTEN_FAILED',
      message: `createApiServer: cannot listen on ${options.host ?? '127.0.0.1'}:${options.port ?? 0}: ${(error as Error).message}`,
      remedy: 'pick a free port or leave `port` unset for an ephemeral one',
      cause: error,
    });
  }
  if (options.controllers ?? true) {
    controllers = startControllers({
      context,
      resyncMs: options.resyncMs,
      onError: options.onControllerError,
      ...(options.kubelet && options.runtime
        ? { kubelet: { ...options.kubelet, runtime: options.runtime } }
        : {}),
    });
  }
  const address = server.address() as AddressInfo;
  serverAddress = `${address.address}:${address.port}`;
  const url = `https://${serverAddress}`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      await controllers?.stop();
      await stopListening();
      webSocketServer.close();
      etcd.close();
    })();
    return closed;
  };

  return {
    url,
    port: address.port,
    store,
    context,
    controllers,
    setListening,
    isListening: () => server.listening,
    close,
    [Symbol.asyncDispose]: close,
  };
}
