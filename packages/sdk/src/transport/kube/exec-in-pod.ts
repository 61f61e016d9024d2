import type { Readable, Writable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { KubeError } from './kube-error.js';
import { parseExecStatus } from './parse-exec-status.js';
import { toKubeError } from './to-kube-error.js';

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

const channel = { stdin: 0, stdout: 1, stderr: 2, status: 3, close: 255 } as const;
const maxStderr = 64 * 1024;
const maxBufferedStdin = 4 * 1024 * 1024;

/**
 * Runs a command in a container over the exec WebSocket (`v5.channel.k8s.io`), owning the socket rather than
 * using client-node's Exec, which resolves on socket open, ignores backpressure and can hang when the
 * connection drops without a status. Resolves on the status frame once the socket closed and every stdout
 * chunk was accepted by the sink.
 * @throws KubeError `KUBE_EXEC_CONNECTION_LOST` (retryable) when the socket closes without a status,
 * `KUBE_TIMEOUT`, `KUBE_EXEC_FAILED` when the server refuses the command (e.g. the container is not running),
 * or the mapped HTTP error when the upgrade is refused (`KUBE_NOT_FOUND` for a missing pod).
 */
export async function execInPod(
  kubeConfig: KubeConfig,
  kubeconfigPath: string,
  options: ExecInPodOptions,
): Promise<ExecInPodResult> {
  const cluster = kubeConfig.getCurrentCluster();
  const server = cluster?.server ?? '(no server)';
  const what = `exec \`${options.command.join(' ')}\` in pod ${options.pod} (container ${options.container}, namespace ${options.namespace})`;
  const query = new URLSearchParams();
  for (const part of options.command) query.append('command', part);
  query.set('container', options.container);
  query.set('stdout', 'true');
  query.set('stderr', 'true');
  if (options.stdin !== undefined) query.set('stdin', 'true');
  const url = `${server.replace(/^http/, 'ws')}/api/v1/namespaces/${encodeURIComponent(options.namespace)}/pods/${encodeURIComponent(options.pod)}/exec?${query}`;
  const socketOptions: WebSocket.ClientOptions = { perMessageDeflate: false };
  await kubeConfig.applyToHTTPSOptions(socketOptions);
  const socket = new WebSocket(url, ['v5.channel.k8s.io'], socketOptions);

  return new Promise<ExecInPodResult>((resolve, reject) => {
    const captured: Buffer[] = [];
    const maxCaptured = options.maxCapturedBytes ?? 16 * 1024 * 1024;
    let stdoutBytes = 0;
    let stderr = '';
    let status: { exitCode: number } | { error: string } | undefined;
    let pendingWrites = 0;
    let settled = false;
    let closed = false;

    const finish = (error?: Error) => {
      if (settled) return;
      if (error) {
        settled = true;
        cleanup();
        socket.terminate();
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
    const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    const touch = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(
        () =>
          finish(
            new KubeError({
              code: 'KUBE_TIMEOUT',
              server,
              message: `${what}: no data for ${idleTimeoutMs} ms`,
              remedy: 'the pod or the API server stopped answering; check them and try again',
              isRetryable: true,
            }),
          ),
        idleTimeoutMs,
      );
    };
    const totalTimer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(
            () =>
              finish(
                new KubeError({
                  code: 'KUBE_TIMEOUT',
                  server,
                  message: `${what}: did not finish within ${options.timeoutMs} ms`,
                  remedy: 'raise the timeout or check why the command is slow',
                  isRetryable: true,
                }),
              ),
            options.timeoutMs,
          );
    const onAbort = () =>
      finish(options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(idleTimer);
      clearTimeout(totalTimer);
      options.signal?.removeEventListener('abort', onAbort);
    };

    socket.on('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        finish(toKubeError({ code: response.statusCode, body }, { server, what, kubeconfigPath }));
      });
    });
    socket.on('error', (error) => finish(toKubeError(error, { server, what, kubeconfigPath })));
    socket.on('open', () => {
      touch();
      if (options.stdin !== undefined)
        void sendStdin(socket, options.stdin).catch((error: Error) => finish(error));
    });
    socket.on('message', (data: Buffer) => {
      touch();
      if (data.length === 0) return;
      const payload = data.subarray(1);
      switch (data[0]) {
        case channel.stdout: {
          stdoutBytes += payload.length;
          if (options.stdout) {
            pendingWrites++;
            const accepted = options.stdout.write(payload, () => {
              pendingWrites--;
              finish();
            });
            if (!accepted) {
              socket.pause();
              options.stdout.once('drain', () => socket.resume());
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
          break;
        }
        case channel.stderr:
          if (stderr.length < maxStderr) stderr += payload.toString('utf8');
          break;
        case channel.status:
          status = parseExecStatus(payload.toString('utf8'));
          break;
      }
    });
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
  });
}

async function sendStdin(socket: WebSocket, stdin: Readable | Buffer | string): Promise<void> {
  const send = (chunk: Buffer) =>
    new Promise<void>((resolve, reject) => {
      socket.send(Buffer.concat([Buffer.from([channel.stdin]), chunk]), (error) =>
        error ? reject(error) : resolve(),
      );
    });
  if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) {
    const buffer = Buffer.from(stdin);
    for (let offset = 0; offset < buffer.length; offset += 64 * 1024) {
      await send(buffer.subarray(offset, offset + 64 * 1024));
    }
  } else {
    for await (const chunk of stdin) {
      await send(Buffer.from(chunk as Buffer));
      // Bounded memory: wait while the socket holds more than a few MiB we have not yet sent.
      while (socket.bufferedAmount > maxBufferedStdin) await new Promise((done) => setTimeout(done, 10));
    }
  }
  // v5.channel.k8s.io: tell the server stdin is done, so `cat >file` or `tar x` ends.
  socket.send(Buffer.from([channel.close, channel.stdin]));
}
