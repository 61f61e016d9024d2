import { lastLine } from '../format/output-line.js';
import type { KubeConnection } from '../transport/kube/connect-kube.js';
import { KubeError } from '../transport/kube/kube-error.js';
import { BackupError, type BackupStep } from './backup-error.js';
import { execStdout } from './exec-stdout.js';
import { type EtcdPodSnapshotPlan, parseSnapshotMarkers } from './plan-etcd-pod-snapshot.js';

/** Options of {@link streamEtcdPodSnapshot}. */
export interface StreamEtcdPodSnapshotOptions {
  kube: KubeConnection;
  /** Pod, container and the scripts `streamSnapshot` and `resumeSnapshot`. */
  plan: EtcdPodSnapshotPlan;
  /** Reconnections allowed after dropped or cut-short streams. Default 5. */
  maxResumes?: number;
  /** Told after each reconnection, with the offset it resumed from. */
  onResume?: (event: { offset: number; attempt: number; reason: string }) => void;
  /** Told once, when the pod reported the complete snapshot's size, revision and key count. */
  onComplete: (facts: { size: number; revision: number; totalKeys: number }) => void;
  /** The step errors name for a failed `etcdctl` (`snapshot`) and for a failed stream (`transfer`). */
  stepName?: (step: 'snapshot' | 'transfer') => BackupStep;
  signal?: AbortSignal;
}

/**
 * Streams an etcd snapshot out of its pod while `etcdctl snapshot save` writes it (the plan's
 * `streamSnapshot`), over the exec WebSocket with backpressure. The size is known only at the end, from the
 * script's marker: a stream that drops (KUBE_EXEC_CONNECTION_LOST) or ends short of it resumes with
 * `resumeSnapshot` from the last byte received, which first waits for the background `etcdctl` to finish.
 * @throws BackupError `BACKUP_SNAPSHOT_FAILED` or `BACKUP_NO_SPACE` with etcdctl's message when the snapshot
 * fails, `BACKUP_POD_NOT_FOUND`, `BACKUP_TRANSFER_FAILED` when more bytes arrive than the snapshot has or the
 * resumes are used up; other KubeErrors as they are.
 */
export async function* streamEtcdPodSnapshot(options: StreamEtcdPodSnapshotOptions): AsyncGenerator<Buffer> {
  const { kube, plan } = options;
  const { namespace, pod, container, temporaryFile } = plan;
  const maxResumes = options.maxResumes ?? 5;
  const stepName = options.stepName ?? ((step) => step);
  const where = `pod ${namespace}/${pod}`;
  const object = `${where} file ${temporaryFile}`;
  let offset = 0;
  let resumes = 0;
  while (true) {
    const command = offset === 0 && resumes === 0 ? plan.streamSnapshot : plan.resumeSnapshot(offset);
    const run = execStdout({
      kube,
      namespace,
      pod,
      container,
      command: command.command,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for await (const chunk of run.chunks) {
      offset += chunk.length;
      yield chunk;
    }
    const { exitCode, stderr, failure } = run.outcome();
    if (KubeError.isInstance(failure) && failure.code === 'KUBE_NOT_FOUND') {
      throw new BackupError({
        code: 'BACKUP_POD_NOT_FOUND',
        step: stepName('transfer'),
        object: where,
        message: `${where} disappeared while streaming the snapshot`,
        remedy: 'the etcd pod was restarted or deleted; run the backup again once it is Ready',
        cause: failure,
      });
    }
    const lost = KubeError.isInstance(failure) && failure.code === 'KUBE_EXEC_CONNECTION_LOST';
    if (failure !== undefined && !lost) throw failure;
    if (!lost && exitCode !== 0) {
      const noSpace = /no space left/i.test(stderr);
      throw new BackupError({
        code: noSpace ? 'BACKUP_NO_SPACE' : 'BACKUP_SNAPSHOT_FAILED',
        step: stepName('snapshot'),
        object,
        message: `\`etcdctl snapshot save\` in ${where} exited with ${exitCode}: ${lastLine(stderr)}`,
        remedy: noSpace
          ? `free space in /tmp of pod ${pod} (the snapshot is about the size of the etcd database)`
          : 'check the member with `etcdctl endpoint health` and its logs, then run the backup again',
      });
    }
    const markers = lost ? {} : parseSnapshotMarkers(stderr);
    if (!lost && (markers.size === undefined || markers.status === undefined)) {
      throw new BackupError({
        code: 'BACKUP_SNAPSHOT_FAILED',
        step: stepName('snapshot'),
        object,
        message: `the snapshot script in ${where} did not report the snapshot's ${markers.size === undefined ? 'size' : '`etcdctl snapshot status`'}: ${lastLine(stderr)}`,
        remedy: 'the snapshot taken in the pod is unreadable; run the backup again',
      });
    }
    if (markers.size !== undefined && offset > markers.size) {
      throw new BackupError({
        code: 'BACKUP_TRANSFER_FAILED',
        step: stepName('transfer'),
        object,
        message: `${object}: received ${offset} bytes of a ${markers.size}-byte snapshot; the file changed during the transfer`,
        remedy: 'run the backup again',
      });
    }
    if (markers.size !== undefined && markers.status && offset === markers.size) {
      options.onComplete({ size: markers.size, ...markers.status });
      return;
    }
    const reason = lost ? 'connection lost' : `stream ended after ${offset} of ${markers.size} bytes`;
    if (resumes >= maxResumes) {
      throw new BackupError({
        code: 'BACKUP_TRANSFER_FAILED',
        step: stepName('transfer'),
        object,
        message: `${object}: ${reason} again after ${resumes} resumes (${offset} bytes received)`,
        remedy: 'check the network to the admin API server, then run the backup again',
        isRetryable: true,
        cause: failure,
      });
    }
    resumes++;
    options.onResume?.({ offset, attempt: resumes, reason });
  }
}
