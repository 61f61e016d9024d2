import { firstLine } from '../format/output-line.js';
import type { KubeConnection } from '../transport/kube/connect-kube.js';
import { KubeError } from '../transport/kube/kube-error.js';
import { BackupError } from './backup-error.js';
import { execStdout } from './exec-stdout.js';

/** Options of {@link streamPodFile}. */
export interface StreamPodFileOptions {
  kube: KubeConnection;
  namespace: string;
  pod: string;
  container: string;
  /** Absolute path of the file in the container. */
  path: string;
  /** Its size in bytes, known beforehand: the transfer is complete only when this many bytes arrived. */
  size: number;
  /** The command that prints the file from byte `offset` on. Default `cat PATH` at 0, else `tail -c +N PATH`. */
  command?: (offset: number) => string[];
  /** Reconnections allowed after dropped or cut-short streams. Default 5. */
  maxResumes?: number;
  /** Told after each reconnection, with the offset it resumed from. */
  onResume?: (event: { offset: number; attempt: number; reason: string }) => void;
  signal?: AbortSignal;
}

/**
 * Streams a file out of a container with `cat` over the exec WebSocket (never `kubectl cp`), with
 * backpressure: nothing is read from the socket faster than the consumer takes it. When the connection drops
 * (KUBE_EXEC_CONNECTION_LOST) or the stream ends short (the API server can truncate exec output silently), it
 * reconnects and continues with `tail -c +OFFSET` from the last byte received.
 * @throws BackupError `BACKUP_TRANSFER_FAILED` when the command fails in the pod, more bytes arrive than the
 * file has, or the resumes are used up; other KubeErrors as they are.
 */
export async function* streamPodFile(options: StreamPodFileOptions): AsyncGenerator<Buffer> {
  const { kube, namespace, pod, container, path, size } = options;
  const maxResumes = options.maxResumes ?? 5;
  const object = `pod ${namespace}/${pod} file ${path}`;
  let offset = 0;
  let resumes = 0;
  while (true) {
    const command =
      options.command?.(offset) ?? (offset === 0 ? ['cat', path] : ['tail', '-c', `+${offset + 1}`, path]);
    const run = execStdout({
      kube,
      namespace,
      pod,
      container,
      command,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for await (const chunk of run.chunks) {
      offset += chunk.length;
      if (offset > size) {
        throw new BackupError({
          code: 'BACKUP_TRANSFER_FAILED',
          step: 'transfer',
          object,
          message: `${object}: received more than its ${size} bytes; the file changed during the transfer`,
          remedy: 'run the backup again',
        });
      }
      yield chunk;
    }
    const { exitCode, stderr, failure } = run.outcome();
    const lost = KubeError.isInstance(failure) && failure.code === 'KUBE_EXEC_CONNECTION_LOST';
    if (failure !== undefined && !lost) throw failure;
    if (!lost && exitCode !== 0) {
      throw new BackupError({
        code: 'BACKUP_TRANSFER_FAILED',
        step: 'transfer',
        object,
        message: `${object}: \`${command.join(' ')}\` exited with ${exitCode}: ${firstLine(stderr)}`,
        remedy: 'check the pod is running and its /tmp is intact, then run the backup again',
      });
    }
    if (offset === size) return;
    const reason = lost ? 'connection lost' : `stream ended after ${offset} of ${size} bytes`;
    if (resumes >= maxResumes) {
      throw new BackupError({
        code: 'BACKUP_TRANSFER_FAILED',
        step: 'transfer',
        object,
        message: `${object}: ${reason} again after ${resumes} resumes (${offset} of ${size} bytes)`,
        remedy: 'check the network to the admin API server, then run the backup again',
        isRetryable: true,
        cause: failure,
      });
    }
    resumes++;
    options.onResume?.({ offset, attempt: resumes, reason });
  }
}
