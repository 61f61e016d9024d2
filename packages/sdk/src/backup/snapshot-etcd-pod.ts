import type { BundleWriter } from '../bundle/create-bundle-writer.js';
import { firstLine } from '../format/output-line.js';
import type { KubeConnection } from '../transport/kube/connect-kube.js';
import type { ExecInPodResult } from '../transport/kube/exec-in-pod.js';
import { KubeError } from '../transport/kube/kube-error.js';
import { addBundleContent } from './add-bundle-content.js';
import { BackupError, type BackupStep } from './backup-error.js';
import type { BackupProgressEvent } from './backup-progress.js';
import type { EtcdPodSnapshotPlan } from './plan-etcd-pod-snapshot.js';
import { SnapshotStreamHash } from './snapshot-stream-hash.js';
import { streamEtcdPodSnapshot } from './stream-etcd-pod-snapshot.js';

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
  /**
   * The database size from an earlier `etcdctl endpoint status` (with `skipCheck`): the progress total until
   * the pod reports the snapshot's real size. Default: the size read by `check-etcd`, else 0.
   */
  estimatedBytes?: number;
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
 * Takes an etcd snapshot inside a pod with `etcdctl snapshot save` into a temporary file and streams it into
 * the bundle while etcdctl writes it (one exec: steps `snapshot` and `transfer` end together), age-encrypted on
 * the way when recipients are given, with its SHA-256 computed as it arrives, resuming dropped streams once
 * etcdctl finished; checks the size the pod reports and the snapshot's trailing SHA-256, and takes the
 * revision and key count from `etcdctl snapshot status` run in the pod. Progress totals are the database size
 * from `check-etcd` (or `estimatedBytes`) until the real size is known. The temporary files are removed from
 * the pod, and a still-running etcdctl stopped, whatever happens.
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

  const endpoint = options.skipCheck
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
        const text = status.stdout.toString('utf8');
        return { version: parseEndpointVersion(text), dbSize: parseEndpointDbSize(text) };
      });

  try {
    const hasher = new SnapshotStreamHash();
    let facts: { size: number; revision: number; totalKeys: number } | undefined;
    let resumes = 0;
    let lastReported = 0;
    // An estimate until the pod reports the real size: the snapshot is the database plus a 32-byte hash.
    let bytesTotal = (options.estimatedBytes ?? endpoint?.dbSize ?? 0) + 32;
    const file = options.path;
    const plaintext = async function* (): AsyncGenerator<Buffer> {
      emit({ kind: 'transfer', file, bytesDone: 0, bytesTotal });
      for await (const chunk of streamEtcdPodSnapshot({
        kube,
        plan,
        ...(options.maxResumes === undefined ? {} : { maxResumes: options.maxResumes }),
        onResume: (event) => {
          resumes = event.attempt;
          emit({ kind: 'resumed', ...event });
        },
        onComplete: (complete) => {
          facts = complete;
        },
        stepName: named,
        ...(options.signal ? { signal: options.signal } : {}),
      })) {
        hasher.update(chunk);
        const done = hasher.size;
        if (done - lastReported >= 256 * 1024) {
          lastReported = done;
          bytesTotal = Math.max(bytesTotal, done);
          emit({ kind: 'transfer', file, bytesDone: done, bytesTotal });
        }
        // The bundle writer batches writes itself; copying chunks together here would only cost time.
        yield chunk;
      }
      emit({ kind: 'transfer', file, bytesDone: hasher.size, bytesTotal: facts?.size ?? hasher.size });
    };
    // One exec takes the snapshot and streams it as etcdctl writes it: the steps end together.
    await step('snapshot', () =>
      step('transfer', () =>
        addBundleContent({
          writer: options.writer,
          path: file,
          role: options.role,
          content: plaintext(),
          recipients: options.recipients,
          // Stored as received when not encrypted: the trailer check's pass already gives the file's SHA-256.
          digest: () => ({ size: hasher.size, sha256: hasher.result().fileSha256 }),
        }),
      ),
    );

    const complete = await step('verify', async () => {
      const check = hasher.result();
      if (facts === undefined || check.size !== facts.size || !check.trailerMatches) {
        throw new BackupError({
          code: 'BACKUP_SNAPSHOT_CORRUPT',
          step: named('verify'),
          object: `${where} file ${temporaryFile}`,
          message:
            facts === undefined || check.size !== facts.size
              ? `received ${check.size} bytes of a ${facts?.size ?? 'unknown'}-byte snapshot`
              : `the snapshot's trailing SHA-256 ${check.expected} does not match its content (${check.actual})`,
          remedy: 'the transfer corrupted the snapshot; run the backup again',
        });
      }
      return facts;
    });
    return {
      etcdVersion: endpoint?.version ?? 'unknown',
      revision: complete.revision,
      totalKeys: complete.totalKeys,
      bytes: complete.size,
      resumes,
    };
  } finally {
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

/** Pure: the database size in bytes from `etcdctl endpoint status -w json`, or undefined. */
export function parseEndpointDbSize(text: string): number | undefined {
  try {
    const parsed = JSON.parse(text) as Array<{ Status?: { dbSize?: unknown } }>;
    const size = parsed[0]?.Status?.dbSize;
    if (typeof size === 'number' && Number.isSafeInteger(size) && size >= 0) return size;
  } catch {
    // Unknown: the progress total is then only an estimate from the bytes received.
  }
  return undefined;
}
