import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { encodeClientFrame } from './encode-client-frame.js';
import { KubeError } from './kube-error.js';
import { openWebSocket } from './open-web-socket.js';
import { parseExecStatus } from './parse-exec-status.js';
import { toKubeError } from './to-kube-error.js';
import { WebSocketFrameReader, webSocketOpcode } from './websocket-frame-reader.js';

/** Options of {@link execInPod}. */
export interface ExecInPodOptions {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  /** Sent to the command's stdin, which is then closed. Default: no stdin. */
  stdin?: Readable | Buffer | string;
  /**
   * Receives stdout as it arrives, honouring backpressure (the socket is paused while the sink is full), and
   * is not ended. Default: stdout is captured into the result, up to `maxCapturedBytes`.
   */
  stdout?: Writable;
  /** Cap of captured stdout when no `stdout` sink is given. Default 16 MiB; more is an error. */
  maxCapturedBytes?: number;
  /** Fail when no frame arrives for this long. Default 60 000 ms. */
  idleTimeoutMs?: number;
  /** Fail when the whole call takes longer. Default: no limit. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** How the command ended. A non-zero exit code is a result, not an error: the caller decides. */
export interface ExecInPodResult {
  exitCode: number;
  /** Captured stdout; empty when a `stdout` sink was given. */
  stdout: Buffer;
  /** Captured stderr (first 64 KiB). */
  stderr: string;
  /** Bytes of stdout received. */
  stdoutBytes: number;
}

/** Where and how {@link execInPod} connects. */
export interface ExecConnection {
  /** The API server URL, without a trailing slash. */
  server: string;
  /** Named in error remedies. */
  kubeconfigPath: string;
  /** TLS material, agent and headers for the request (a fresh object each call: it is not modified). */
  requestOptions: () => Promise<Record<string, unknown>>;
}

const execChannel = { stdin: 0, stdout: 1, stderr: 2, status: 3, close: 255 } as const;
const maxStderr = 64 * 1024;

/**
 * Runs a command in a container over the exec WebSocket (`v5.channel.k8s.io`), owning the socket rather than
 * using client-node's Exec, which resolves on socket open, ignores backpressure and can hang when the
 * connection drops without a status. Frames are read straight off the TLS socket: stdout reaches the sink as
 * views into the socket's own chunks (no per-message copy or reassembly), and the socket is paused while the
 * sink is full. Resolves on the status frame once the socket closed and every stdout chunk was accepted by
 * the sink.
 * @throws KubeError `KUBE_EXEC_CONNECTION_LOST` (retryable) when the socket closes without a status,
 * `KUBE_TIMEOUT`, `KUBE_EXEC_FAILED` when the server refuses the command (e.g. the container is not running),
 * or the mapped HTTP error when the upgrade is refused (`KUBE_NOT_FOUND` for a missing pod).
 */
export async function execInPod(
  connection: ExecConnection,
  options: ExecInPodOptions,
): Promise<ExecInPodResult> {
  const { server, kubeconfigPath } = connection;
  const what = `exec \`${options.command.join(' ')}\` in pod ${options.pod} (container ${options.container}, namespace ${options.namespace})`;
  const query = new URLSearchParams();
  for (const part of options.command) query.append('command', part);
  query.set('container', options.container);
  query.set('stdout', 'true');
  query.set('stderr', 'true');
  if (options.stdin !== undefined) query.set('stdin', 'true');
  const url = `${server}/api/v1/namespaces/${encodeURIComponent(options.namespace)}/pods/${encodeURIComponent(options.pod)}/exec?${query}`;
  let requestOptions: Record<string, unknown>;
  try {
    requestOptions = await connection.requestOptions();
  } catch (error) {
    throw toKubeError(error, { server, what, kubeconfigPath });
  }

  const totalTimeout = () =>
    new KubeError({
      code: 'KUBE_TIMEOUT',
      server,
      message: `${what}: did not finish within ${options.timeoutMs} ms`,
      remedy: 'raise the timeout or check why the command is slow',
      isRetryable: true,
    });
  const started = Date.now();
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const total = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  const unanswered = AbortSignal.timeout(idleTimeoutMs);
  const opening = AbortSignal.any([
    ...(options.signal ? [options.signal] : []),
    ...(total ? [total] : []),
    unanswered,
  ]);
  let opened: Awaited<ReturnType<typeof openWebSocket>>;
  try {
    opened = await openWebSocket({ url, protocols: ['v5.channel.k8s.io'], requestOptions, signal: opening });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : error;
    if (total?.aborted) throw totalTimeout();
    if (unanswered.aborted) {
      throw new KubeError({
        code: 'KUBE_TIMEOUT',
        server,
        message: `${what}: the API server did not answer the exec upgrade within ${idleTimeoutMs} ms`,
        remedy: 'the API server is overloaded or unreachable; check it and try again',
        isRetryable: true,
      });
    }
    throw toKubeError(error, { server, what, kubeconfigPath });
  }
  if (opened.kind === 'refused') {
    throw toKubeError({ code: opened.status, body: opened.body }, { server, what, kubeconfigPath });
  }
  const { socket, head } = opened;

  return new Promise<ExecInPodResult>((resolve, reject) => {
    const captured: Buffer[] = [];
    const maxCaptured = options.maxCapturedBytes ?? 16 * 1024 * 1024;
    let stdoutBytes = 0;
    let stderr = '';
    let statusParts: Buffer[] = [];
    let status: { exitCode: number } | { error: string } | undefined;
    let channel: number | undefined;
    let pendingWrites = 0;
    let waitingForDrain = false;
    let settled = false;
    let closed = false;

    const finish = (error?: Error) => {
      if (settled) return;
      if (error) {
        settled = true;
        cleanup();
        socket.destroy();
        reject(error);
        return;
      }
      if (!closed || pendingWrites > 0 || status === undefined) return;
      settled = true;
      cleanup();
      if ('error' in status) {
        reject(
          new KubeError({
            code: 'KUBE_EXEC_FAILED',
            server,
            message: `${what}: ${status.error}`,
            remedy: 'check that the pod is Running and the container name is right (kubectl get pod -o wide)',
          }),
        );
        return;
      }
      resolve({ exitCode: status.exitCode, stdout: Buffer.concat(captured), stderr, stdoutBytes });
    };

    let idleTimer: NodeJS.Timeout | undefined;
    let lastFrameAt = Date.now();
    // Re-armed from the last arrival rather than on every chunk: a bulk stream brings thousands a second.
    const armIdle = (delay: number) => {
      idleTimer = setTimeout(() => {
        const quiet = Date.now() - lastFrameAt;
        if (quiet < idleTimeoutMs) {
          armIdle(idleTimeoutMs - quiet);
          return;
        }
        finish(
          new KubeError({
            code: 'KUBE_TIMEOUT',
            server,
            message: `${what}: no data for ${idleTimeoutMs} ms`,
            remedy: 'the pod or the API server stopped answering; check them and try again',
            isRetryable: true,
          }),
        );
      }, delay);
    };
    armIdle(idleTimeoutMs);
    const totalTimer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => finish(totalTimeout()), Math.max(0, options.timeoutMs - (Date.now() - started)));
    const onAbort = () =>
      finish(options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(idleTimer);
      clearTimeout(totalTimer);
      options.signal?.removeEventListener('abort', onAbort);
    };

    const onStdout = (payload: Buffer) => {
      stdoutBytes += payload.length;
      if (options.stdout) {
        pendingWrites++;
        const accepted = options.stdout.write(payload, () => {
          pendingWrites--;
          finish();
        });
        if (!accepted && !waitingForDrain) {
          waitingForDrain = true;
          socket.pause();
          options.stdout.once('drain', () => {
            waitingForDrain = false;
            lastFrameAt = Date.now();
            socket.resume();
          });
        }
      } else if (stdoutBytes > maxCaptured) {
        finish(
          new KubeError({
            code: 'KUBE_EXEC_FAILED',
            server,
            message: `${what}: printed more than ${maxCaptured} bytes`,
            remedy: 'this is a bug in etcd-dr: large outputs must be streamed to a sink',
          }),
        );
      } else {
        captured.push(Buffer.from(payload));
      }
    };
    const reader = new WebSocketFrameReader({
      onMessageData(bytes, first, last) {
        let payload = bytes;
        if (first) channel = undefined;
        if (channel === undefined && payload.length > 0) {
          channel = payload[0];
          payload = payload.subarray(1);
        }
        if (payload.length > 0) {
          if (channel === execChannel.stdout) onStdout(payload);
          else if (channel === execChannel.stderr && stderr.length < maxStderr)
            stderr += payload.toString('utf8');
          else if (channel === execChannel.status) statusParts.push(Buffer.from(payload));
        }
        if (last && channel === execChannel.status) {
          status = parseExecStatus(Buffer.concat(statusParts).toString('utf8'));
          statusParts = [];
        }
      },
      onControl(opcode, payload) {
        if (opcode === webSocketOpcode.ping) {
          socket.write(encodeClientFrame({ opcode: webSocketOpcode.pong, payload }));
        } else if (opcode === webSocketOpcode.close) {
          // Answer the closing handshake at once: the server keeps the connection until it hears back.
          socket.end(encodeClientFrame({ opcode: webSocketOpcode.close, payload: payload.subarray(0, 2) }));
        }
      },
    });
    const onData = (chunk: Buffer) => {
      lastFrameAt = Date.now();
      try {
        reader.push(chunk);
      } catch (error) {
        finish(
          new KubeError({
            code: 'KUBE_EXEC_CONNECTION_LOST',
            server,
            message: `${what}: the exec stream broke the WebSocket protocol (${(error as Error).message}) after ${stdoutBytes} bytes`,
            remedy: 'a proxy or the API server garbled the stream; run the command again (transfers resume)',
            isRetryable: true,
            cause: error,
          }),
        );
      }
    };
    // After the upgrade a socket error only means the connection is gone: 'close' follows and reports it.
    socket.on('error', () => undefined);
    socket.on('data', onData);
    socket.on('close', () => {
      closed = true;
      if (status === undefined) {
        finish(
          new KubeError({
            code: 'KUBE_EXEC_CONNECTION_LOST',
            server,
            message: `${what}: the connection closed before the command reported its exit status (${stdoutBytes} bytes received)`,
            remedy:
              'the API server or the network dropped the stream; run the command again (transfers resume)',
            isRetryable: true,
          }),
        );
        return;
      }
      finish();
    });
    if (head.length > 0) onData(head);
    if (socket.readableFlowing !== true) socket.resume();
    if (options.stdin !== undefined)
      void sendStdin(socket, options.stdin).catch((error: Error) => finish(error));
  });
}

/**
 * Resolves when the socket drained or closed, and removes both listeners: `Promise.race` of two `once`
 * leaves the loser's listener behind, thousands of them over one upload.
 */
function drainOrClose(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

async function sendStdin(socket: Socket, stdin: Readable | Buffer | string): Promise<void> {
  const channel = Buffer.from([execChannel.stdin]);
  const send = async (chunk: Uint8Array) => {
    if (socket.destroyed) throw new Error('the exec connection closed while sending stdin');
    // Bounded memory: wait until the socket flushed what it holds before sending more.
    if (!socket.write(encodeClientFrame({ opcode: webSocketOpcode.binary, payload: [channel, chunk] }))) {
      await drainOrClose(socket);
    }
  };
  if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) {
    const buffer = Buffer.from(stdin);
    for (let offset = 0; offset < buffer.length; offset += 64 * 1024) {
      await send(buffer.subarray(offset, offset + 64 * 1024));
    }
  } else {
    for await (const chunk of stdin) {
      await send(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array));
    }
  }
  // v5.channel.k8s.io: tell the server stdin is done, so `cat >file` or `tar x` ends.
  if (!socket.destroyed) {
    socket.write(
      encodeClientFrame({
        opcode: webSocketOpcode.binary,
        payload: Buffer.from([execChannel.close, execChannel.stdin]),
      }),
    );
  }
}
