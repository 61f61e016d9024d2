import type { BundleWriter } from '../bundle/create-bundle-writer.js';
import type { KubeConnection } from '../transport/kube/connect-kube.js';
import type { ExecInPodResult } from '../transport/kube/exec-in-pod.js';
import { KubeError } from '../transport/kube/kube-error.js';
import { addBundleContent } from './add-bundle-content.js';
import { BackupError, type BackupStep } from './backup-error.js';
import type { BackupProgressEvent } from './backup-progress.js';
import type { EtcdPodSnapshotPlan } from './plan-etcd-pod-snapshot.js';
import { SnapshotStreamHash } from './snapshot-stream-hash.js';
import { streamPodFile } from './stream-pod-file.js';

/** Runs one backup step: reports it started and done. */
export type RunBackupStep = <T>(
  name: BackupStep,
  run: () => Promise<T>,
  detail?: (value: T) => string,
) => Promise<T>;

/** Options of {@link snapshotEtcdPod}. */
export interface SnapshotEtcdPodOptions {
  kube: KubeConnection;
  /** The commands to run (pod, container, certificates, temporary file). */
  plan: EtcdPodSnapshotPlan;
  writer: BundleWriter;
  /** `snapshot` (the user cluster's) or `admin-snapshot`. */
  role: 'snapshot' | 'admin-snapshot';
  /** Path of the snapshot in the bundle. */
  path: string;
  recipients: string[];
  /**
   * Runs the inner steps (`check-etcd`, `snapshot`, `transfer`, `verify`) when given; otherwise they run
   * silently and errors name `errorStep`.
   */
  step?: RunBackupStep;
  /** The step errors name when `step` is not given. Default `snapshot`. */
  errorStep?: BackupStep;
  emit: (event: BackupProgressEvent) => void;
  /** The etcd member's health was checked already (skip `check-etcd`). Default false. */
  skipCheck?: boolean;
  /** Told when the temporary file could not be removed from the pod (a warning: it holds every Secret). */
  onCleanupFailure?: (warning: string) => void;
  maxResumes?: number;
  signal?: AbortSignal;
}

/** A snapshot stored in the bundle. */
export interface EtcdPodSnapshot {
  /** Server version from `etcdctl endpoint status`, or `unknown`. */
  etcdVersion: string;
  revision: number;
  totalKeys: number;
  /** Plaintext size. */
  bytes: number;
  resumes: number;
}

/**
 * Takes an etcd snapshot inside a pod with `etcdctl snapshot save` into a temporary file, streams it into the
 * bundle (age-encrypted on the way when recipients are given) with its SHA-256 computed as it arrives,
 * resuming dropped streams, checks the snapshot's trailing SHA-256, and reads its revision and key count in
 * the pod meanwhile. The temporary file is removed from the pod whatever happens.
 * @throws BackupError `BACKUP_POD_NOT_FOUND`, `BACKUP_ETCD_UNHEALTHY`, `BACKUP_SNAPSHOT_FAILED`,
 * `BACKUP_NO_SPACE`, `BACKUP_TRANSFER_FAILED`, `BACKUP_SNAPSHOT_CORRUPT`; KubeError; BundleError.
 */
export async function snapshotEtcdPod(options: SnapshotEtcdPodOptions): Promise<EtcdPodSnapshot> {
  const { kube, plan, emit } = options;
  const { namespace, pod, container, temporaryFile } = plan;
  const named = (name: BackupStep): BackupStep => (options.step ? name : (options.errorStep ?? 'snapshot'));
  const step: RunBackupStep = options.step ?? ((_name, run) => run());
  const where = `pod ${namespace}/${pod}`;
  const inPod = (command: string[], what: string, stepName: BackupStep): Promise<ExecInPodResult> =>
    kube
      .exec({ namespace, pod, container, command, ...(options.signal ? { signal: options.signal } : {}) })
      .catch((error: unknown) => {
        throw KubeError.isInstance(error) && error.code === 'KUBE_NOT_FOUND'
          ? new BackupError({
              code: 'BACKUP_POD_NOT_FOUND',
              step: named(stepName),
              object: where,
              message: `${where} disappeared while ${what}`,
              remedy: 'the etcd pod was restarted or deleted; run the backup again once it is Ready',
              cause: error,
            })
          : error;
      });

  const etcdVersion = options.skipCheck
    ? undefined
    : await step('check-etcd', async () => {
        const status = await inPod(plan.checkEtcd.command, 'checking etcd health', 'check-etcd');
        if (status.exitCode !== 0) {
          throw new BackupError({
            code: 'BACKUP_ETCD_UNHEALTHY',
            step: named('check-etcd'),
            object: where,
            message: `etcd in ${where} does not answer \`etcdctl endpoint status\`: ${firstLine(status.stderr)}`,
            remedy:
              'check the member with `kubectl logs` and its certificates; a backup needs a healthy member',
          });
        }
        return parseEndpointVersion(status.stdout.toString('utf8'));
      });

  let statusInPod: Promise<{ revision: number; totalKeys: number }> | undefined;
  try {
    const snapshotSize = await step('snapshot', async () => {
      const save = await inPod(plan.saveSnapshot.command, 'taking the snapshot', 'snapshot');
      if (save.exitCode !== 0) {
        const noSpace = /no space left/i.test(save.stderr);
        throw new BackupError({
          code: noSpace ? 'BACKUP_NO_SPACE' : 'BACKUP_SNAPSHOT_FAILED',
          step: named('snapshot'),
          object: `${where} file ${temporaryFile}`,
          message: `\`etcdctl snapshot save\` in ${where} exited with ${save.exitCode}: ${lastLine(save.stderr)}`,
          remedy: noSpace
            ? `free space in /tmp of pod ${pod} (the snapshot is about the size of the etcd database)`
            : 'check the member with `etcdctl endpoint health` and its logs, then run the backup again',
        });
      }
      return Number.parseInt(save.stdout.toString('utf8').trim(), 10);
    });
    // Read in the pod while the same bytes stream out: the trailing-hash check proves the received copy has
    // the same content, so its revision and key count are these, without a second local pass over the file.
    statusInPod = (async () => {
      const result = await inPod(plan.snapshotStatus.command, 'reading the snapshot status', 'snapshot');
      return parseSnapshotStatus({ result, where, file: temporaryFile, step: named('snapshot') });
    })();
    statusInPod.catch(() => undefined);

    const hasher = new SnapshotStreamHash();
    let resumes = 0;
    let lastReported = 0;
    const file = options.path;
    const plaintext = async function* (): AsyncGenerator<Buffer> {
      emit({ kind: 'transfer', file, bytesDone: 0, bytesTotal: snapshotSize });
      for await (const chunk of streamPodFile({
        kube,
        namespace,
        pod,
        container,
        path: temporaryFile,
        size: snapshotSize,
        command: (offset) => plan.transfer(offset).command,
        ...(options.maxResumes === undefined ? {} : { maxResumes: options.maxResumes }),
        onResume: (event) => {
          resumes = event.attempt;
          emit({ kind: 'resumed', ...event });
        },
        ...(options.signal ? { signal: options.signal } : {}),
      })) {
        hasher.update(chunk);
        const done = hasher.size;
        if (done - lastReported >= 256 * 1024 || done === snapshotSize) {
          lastReported = done;
          emit({ kind: 'transfer', file, bytesDone: done, bytesTotal: snapshotSize });
        }
        // The bundle writer batches writes itself; copying chunks together here would only cost time.
        yield chunk;
      }
    };
    await step('transfer', () =>
      addBundleContent({
        writer: options.writer,
        path: file,
        role: options.role,
        content: plaintext(),
        recipients: options.recipients,
        // Stored as received when not encrypted: the trailer check's pass already gives the file's SHA-256.
        digest: () => ({ size: hasher.size, sha256: hasher.result().fileSha256 }),
      }),
    );

    const facts = await step('verify', async () => {
      const check = hasher.result();
      if (check.size !== snapshotSize || !check.trailerMatches) {
        throw new BackupError({
          code: 'BACKUP_SNAPSHOT_CORRUPT',
          step: named('verify'),
          object: `${where} file ${temporaryFile}`,
          message:
            check.size !== snapshotSize
              ? `received ${check.size} bytes of a ${snapshotSize}-byte snapshot`
              : `the snapshot's trailing SHA-256 ${check.expected} does not match its content (${check.actual})`,
          remedy: 'the transfer corrupted the snapshot; run the backup again',
        });
      }
      return await statusInPod!;
    });
    return {
      etcdVersion: etcdVersion ?? 'unknown',
      revision: facts.revision,
      totalKeys: facts.totalKeys,
      bytes: snapshotSize,
      resumes,
    };
  } finally {
    await statusInPod?.catch(() => undefined);
    const cleanupWarning = await kube.exec({ namespace, pod, container, command: plan.cleanup.command }).then(
      (result) => (result.exitCode === 0 ? undefined : firstLine(result.stderr)),
      (error: unknown) => (error as Error).message,
    );
    if (cleanupWarning !== undefined) {
      options.onCleanupFailure?.(
        `could not remove ${temporaryFile} from ${where} (${cleanupWarning}); delete it by hand: it holds every Secret of the cluster`,
      );
    }
  }
}

function parseSnapshotStatus(options: {
  result: ExecInPodResult;
  where: string;
  file: string;
  step: BackupStep;
}): { revision: number; totalKeys: number } {
  const { result } = options;
  const parsed = (() => {
    try {
      return JSON.parse(result.stdout.toString('utf8')) as { revision?: unknown; totalKey?: unknown };
    } catch {
      return {};
    }
  })();
  if (result.exitCode !== 0 || typeof parsed.revision !== 'number' || typeof parsed.totalKey !== 'number') {
    throw new BackupError({
      code: 'BACKUP_SNAPSHOT_FAILED',
      step: options.step,
      object: `${options.where} file ${options.file}`,
      message: `\`etcdctl snapshot status\` in ${options.where} failed (exit ${result.exitCode}): ${firstLine(result.stderr)}`,
      remedy: 'the snapshot taken in the pod is unreadable; run the backup again',
    });
  }
  return { revision: parsed.revision, totalKeys: parsed.totalKey };
}

/** Pure: the server version from `etcdctl endpoint status -w json`. */
export function parseEndpointVersion(text: string): string {
  try {
    const parsed = JSON.parse(text) as Array<{ Status?: { version?: unknown } }>;
    const version = parsed[0]?.Status?.version;
    if (typeof version === 'string' && version.length > 0) return version;
  } catch {
    // Reported as unknown: the version is informative, not needed for a restore.
  }
  return 'unknown';
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] || '(no output)';
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) || '(no output)';
}
