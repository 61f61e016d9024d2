import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { ApiContext } from '../api-context.js';
import { ApiStatusError, badRequest } from '../api-status-error.js';
import type { LooseObject } from '../loose-object.js';
import { parseApiPath } from '../rest/parse-api-path.js';
import { chooseContainer } from '../rest/pod-logs.js';
import { serveExecSession } from './serve-exec-session.js';

function rejectUpgrade(socket: Duplex, error: unknown): void {
  const statusError =
    error instanceof ApiStatusError
      ? error
      : new ApiStatusError({ httpCode: 500, reason: 'InternalError', message: (error as Error).message });
  const body = JSON.stringify(statusError.toStatus());
  socket.end(
    `HTTP/1.1 ${statusError.httpCode} ${statusError.reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

function isTrue(value: string | null): boolean {
  return value === 'true' || value === '1';
}

/**
 * Serves `GET .../pods/NAME/exec` upgraded to a WebSocket (`v5`/`v4`/older `channel.k8s.io`): checks the
 * pod and container like the real server, then runs the command through `PodRuntime.exec`.
 */
export async function handleExecUpgrade(options: {
  context: ApiContext;
  webSocketServer: WebSocketServer;
  request: IncomingMessage;
  socket: Duplex;
  head: Buffer;
}): Promise<void> {
  const { context, request, socket } = options;
  try {
    const url = new URL(request.url ?? '/', 'https://localhost');
    const path = parseApiPath(url.pathname);
    if (
      path.kind !== 'resource' ||
      path.type.resource !== 'pods' ||
      path.subresource !== 'exec' ||
      !path.name
    ) {
      throw new ApiStatusError({
        httpCode: 404,
        reason: 'NotFound',
        message: 'the server could not find the requested resource',
      });
    }
    const pod = await context.store.get({ type: path.type, namespace: path.namespace, name: path.name });
    const command = url.searchParams.getAll('command');
    if (command.length === 0) throw badRequest('you must specify at least 1 command');
    const container = chooseContainer({ pod, container: url.searchParams.get('container') });
    const spec = (pod.spec ?? {}) as LooseObject;
    const status = (pod.status ?? {}) as LooseObject;
    if (!spec.nodeName) throw badRequest(`pod ${path.name} does not have a host assigned`);
    if (status.phase === 'Succeeded' || status.phase === 'Failed') {
      throw badRequest(`cannot exec into a container in a completed pod; current phase is ${status.phase}`);
    }
    const running = ((status.containerStatuses ?? []) as LooseObject[]).find(
      (candidate) => candidate.name === container && candidate.state?.running,
    );
    if (!context.runtime || !running) {
      throw badRequest(`unable to upgrade connection: container not found ("${container}")`);
    }
    const runtime = context.runtime;
    options.webSocketServer.handleUpgrade(request, socket, options.head, (webSocket) => {
      const session = runtime.exec({
        uid: pod.metadata!.uid!,
        container,
        command,
        tty: isTrue(url.searchParams.get('tty')),
      });
      void serveExecSession({
        socket: webSocket,
        session,
        command,
        stdin: isTrue(url.searchParams.get('stdin')),
        stdout: url.searchParams.get('stdout') === null || isTrue(url.searchParams.get('stdout')),
        stderr: url.searchParams.get('stderr') === null || isTrue(url.searchParams.get('stderr')),
      }).catch(() => webSocket.terminate());
    });
  } catch (error) {
    rejectUpgrade(socket, error);
  }
}
