import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import type { V1Pod } from '@kubernetes/client-node';
import { BundleError } from '../bundle/bundle-error.js';
import { bundleFilePath } from '../bundle/bundle-file-path.js';
import type { BundleManifest } from '../bundle/bundle-manifest.js';
import { type BundleContent, createBundleWriter } from '../bundle/create-bundle-writer.js';
import { ageEncrypt } from '../bundle-crypto/age-encrypt.js';
import { parseAgeRecipients } from '../bundle-crypto/parse-age-recipients.js';
import type { ClusterConfig } from '../cluster/cluster-config.js';
import { connectKube, type KubeConnection } from '../transport/kube/connect-kube.js';
import { KubeError } from '../transport/kube/kube-error.js';
import { BackupError, type BackupStep } from './backup-error.js';
import type { BackupProgressEvent } from './backup-progress.js';
import { detectTopology } from './detect-topology.js';
import { kubeceptionMembers } from './kubeception-members.js';
import { kubeEtcdPods, pickEtcdPod } from './pick-etcd-pod.js';
import { planKubeceptionBackup } from './plan-kubeception-backup.js';
import { SnapshotStreamHash } from './snapshot-stream-hash.js';
import { streamPodFile } from './stream-pod-file.js';

/** Options of {@link backupCluster}. */
export interface BackupClusterOptions {
  /** The target, as `loadClusterConfig` returns it (absolute paths). */
  config: ClusterConfig;
  /** Folder the bundle directory is created in (created 0700 when missing). */
  outputDirectory: string;
  /**
   * age recipients (`age1...`). When given, the snapshot and the etcd certificates Secret are stored
   * age-encrypted, encrypted as they stream in (never unencrypted on disk). Default none: stored as is.
   */
  recipients?: string[];
  /** Bundle name. Default `CLUSTER-YYYYMMDDTHHMMSSZ`. */
  name?: string;
  /** Recorded in the manifest. Default `{ name: '@etcd-dr/sdk', version: 'unknown' }`. */
  tool?: { name: string; version: string };
  /** Receives typed progress events; must not throw. Default: none. */
  onProgress?: (event: BackupProgressEvent) => void;
  /** Reconnections allowed while streaming the snapshot. Default 5. */
  maxResumes?: number;
  signal?: AbortSignal;
}

/** A finished backup. */
export interface BackupClusterResult {
  /** The bundle directory. */
  path: string;
  manifest: BundleManifest;
  /** The member the snapshot was taken from. */
  pod: string;
  /** Snapshot bytes transferred (plaintext size). */
  snapshotBytes: number;
  /** Reconnections during the transfer. */
  resumes: number;
  durationMs: number;
  /** Problems that did not fail the backup, e.g. a temporary file that could not be removed from the pod. */
  warnings: string[];
}

const container = 'kube-etcd';

/**
 * Backs up a user cluster's etcd into a bundle. Kubeception only for now (non-HA and HA): snapshots
 * `kube-etcd-0` (or the first Ready member) with `etcdctl snapshot save` into a temporary file in the pod,
 * streams it out with its SHA-256 computed on the way, resuming after dropped connections, checks the
 * snapshot's own trailing SHA-256, and saves the objects a restore needs (the `kube-etcd-certs-*` Secret, the
 * PDB `kube-apiserver-pdb`, replica counts, members). The temporary file is removed from the pod whatever
 * happens; a failed backup leaves no bundle directory.
 * @throws BackupError (`BACKUP_TOPOLOGY_UNSUPPORTED` for Controlplane V2, `BACKUP_POD_NOT_FOUND`,
 * `BACKUP_ETCD_UNHEALTHY`, `BACKUP_SNAPSHOT_FAILED`, `BACKUP_NO_SPACE`, `BACKUP_TRANSFER_FAILED`,
 * `BACKUP_SNAPSHOT_CORRUPT`, `BACKUP_OBJECT_NOT_FOUND`), KubeError (kubeconfig, API), BundleError, CryptoError.
 */
export async function backupCluster(options: BackupClusterOptions): Promise<BackupClusterResult> {
  const started = Date.now();
  const { config } = options;
  const recipients = (options.recipients ?? []).flatMap((text) =>
    parseAgeRecipients({ text, source: 'recipients' }),
  );
  const encrypted = recipients.length > 0;
  const namespace = config.userCluster.name;
  const emit = (event: BackupProgressEvent) => options.onProgress?.(event);
  const step = async <T>(name: BackupStep, run: () => Promise<T>, detail?: (value: T) => string) => {
    options.signal?.throwIfAborted();
    emit({ kind: 'step', step: name, status: 'started' });
    const value = await run();
    const text = detail?.(value);
    emit({ kind: 'step', step: name, status: 'done', ...(text ? { detail: text } : {}) });
    return value;
  };

  const admin = await step('connect', () => connectKube({ kubeconfigPath: config.adminCluster.kubeconfig }));
  const topology = await step(
    'detect-topology',
    async () => {
      if (config.userCluster.topology !== 'auto') return config.userCluster.topology;
      const user = await connectKube({ kubeconfigPath: config.userCluster.kubeconfig });
      return detectTopology({ userCluster: user, clusterName: namespace });
    },
    (value) => value,
  );
  if (topology === 'controlplane-v2') {
    throw new BackupError({
      code: 'BACKUP_TOPOLOGY_UNSUPPORTED',
      step: 'detect-topology',
      object: `user cluster ${namespace}`,
      message: `user cluster ${namespace} uses Controlplane V2; this etcd-dr version backs up Kubeception clusters only`,
      remedy:
        'Controlplane V2 backups come in a later etcd-dr version; until then follow the runbook by hand',
    });
  }

  const found = await step(
    'find-etcd',
    async () => {
      const pods = await admin.call(`list pods in ${namespace}`, () =>
        admin.core.listNamespacedPod({ namespace }),
      );
      const pod = pickEtcdPod({ pods: pods.items, namespace });
      return { pod, members: kubeEtcdPods(pods.items) };
    },
    (value) => value.pod.metadata?.name ?? '',
  );
  const podName = found.pod.metadata?.name as string;
  const saved = await step('save-objects', () =>
    readRestoreObjects({ admin, namespace, pods: found.members }),
  );

  const plan = planKubeceptionBackup({
    namespace,
    pod: podName,
    temporaryFile: `/tmp/etcd-dr-${randomBytes(8).toString('hex')}.db`,
    kubeconfigPath: config.adminCluster.kubeconfig,
  });
  const temporaryFile = plan.temporaryFile;
  const inPod = (command: string[], what: string) =>
    admin
      .exec({
        namespace,
        pod: podName,
        container,
        command,
        ...(options.signal ? { signal: options.signal } : {}),
      })
      .catch((error: unknown) => {
        throw KubeError.isInstance(error) && error.code === 'KUBE_NOT_FOUND'
          ? new BackupError({
              code: 'BACKUP_POD_NOT_FOUND',
              step: 'snapshot',
              object: `pod ${namespace}/${podName}`,
              message: `pod ${namespace}/${podName} disappeared while ${what}`,
              remedy: 'the etcd pod was restarted or deleted; run the backup again once it is Ready',
              cause: error,
            })
          : error;
      });

  const etcdVersion = await step('check-etcd', async () => {
    const status = await inPod(plan.checkEtcd.command, 'checking etcd health');
    if (status.exitCode !== 0) {
      throw new BackupError({
        code: 'BACKUP_ETCD_UNHEALTHY',
        step: 'check-etcd',
        object: `pod ${namespace}/${podName}`,
        message: `etcd in pod ${namespace}/${podName} does not answer \`etcdctl endpoint status\`: ${firstLine(status.stderr)}`,
        remedy:
          'check the member with `kubectl logs` and its certificates; a backup needs one healthy member',
      });
    }
    return parseEndpointVersion(status.stdout.toString('utf8'));
  });

  const warnings: string[] = [];
  const bundleName = options.name ?? `${namespace}-${timestamp(new Date(started))}`;
  let writer: Awaited<ReturnType<typeof createBundleWriter>> | undefined;
  let statusInPod: Promise<{ revision: number; totalKeys: number }> | undefined;
  try {
    const snapshotSize = await step('snapshot', async () => {
      const save = await inPod(plan.saveSnapshot.command, 'taking the snapshot');
      if (save.exitCode !== 0) {
        const noSpace = /no space left/i.test(save.stderr);
        throw new BackupError({
          code: noSpace ? 'BACKUP_NO_SPACE' : 'BACKUP_SNAPSHOT_FAILED',
          step: 'snapshot',
          object: `pod ${namespace}/${podName} file ${temporaryFile}`,
          message: `\`etcdctl snapshot save\` in pod ${namespace}/${podName} exited with ${save.exitCode}: ${lastLine(save.stderr)}`,
          remedy: noSpace
            ? `free space in /tmp of pod ${podName} (the snapshot is about the size of the etcd database)`
            : 'check the member with `etcdctl endpoint health` and its logs, then run the backup again',
        });
      }
      return Number.parseInt(save.stdout.toString('utf8').trim(), 10);
    });
    // Read in the pod while the same bytes stream out: the trailing-hash check proves the received copy has
    // the same content, so its revision and key count are these, without a second local pass over the file.
    statusInPod = snapshotStatusInPod({
      inPod,
      command: plan.snapshotStatus.command,
      file: temporaryFile,
      pod: `${namespace}/${podName}`,
    });
    statusInPod.catch(() => undefined);

    writer = await step('write-bundle', () =>
      createBundleWriter({ directory: options.outputDirectory, name: bundleName }),
    );
    const hasher = new SnapshotStreamHash();
    let resumes = 0;
    let lastReported = 0;
    const plaintext = async function* (): AsyncGenerator<Buffer> {
      emit({ kind: 'transfer', bytesDone: 0, bytesTotal: snapshotSize });
      for await (const chunk of streamPodFile({
        kube: admin,
        namespace,
        pod: podName,
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
          emit({ kind: 'transfer', bytesDone: done, bytesTotal: snapshotSize });
        }
        // The bundle writer batches writes itself; copying chunks together here would only cost time.
        yield chunk;
      }
    };
    await step('transfer', () =>
      addMaybeEncrypted({
        writer: writer!,
        path: bundleFilePath({ role: 'snapshot', ...(encrypted ? { encryption: 'age' } : {}) }),
        role: 'snapshot',
        content: plaintext(),
        recipients,
        // Stored as received when not encrypted: the trailer check's pass already gives the file's SHA-256.
        digest: () => ({ size: hasher.size, sha256: hasher.result().fileSha256 }),
      }),
    );

    const facts = await step('verify', async () => {
      const check = hasher.result();
      if (check.size !== snapshotSize || !check.trailerMatches) {
        throw new BackupError({
          code: 'BACKUP_SNAPSHOT_CORRUPT',
          step: 'verify',
          object: `pod ${namespace}/${podName} file ${temporaryFile}`,
          message:
            check.size !== snapshotSize
              ? `received ${check.size} bytes of a ${snapshotSize}-byte snapshot`
              : `the snapshot's trailing SHA-256 ${check.expected} does not match its content (${check.actual})`,
          remedy: 'the transfer corrupted the snapshot; run the backup again',
        });
      }
      return await statusInPod!;
    });

    await step('save-objects', async () => {
      await writer!.addFile({
        path: bundleFilePath({ role: 'object', name: 'members.json' }),
        role: 'object',
        content: json({ snapshotFrom: podName, members: saved.members }),
      });
      await writer!.addFile({
        path: bundleFilePath({ role: 'object', name: 'replicas.json' }),
        role: 'object',
        content: json(saved.replicas),
      });
      if (saved.pdb) {
        await writer!.addFile({
          path: bundleFilePath({ role: 'object', name: 'kube-apiserver-pdb.json' }),
          role: 'object',
          content: json(saved.pdb),
        });
      }
      await addMaybeEncrypted({
        writer: writer!,
        path: bundleFilePath({
          role: 'object',
          name: 'kube-etcd-certs.json',
          ...(encrypted ? { encryption: 'age' } : {}),
        }),
        role: 'object',
        content: json(saved.secret),
        recipients,
      });
    });

    const committed = await step('write-bundle', () =>
      writer!.commit({
        tool: options.tool ?? { name: '@etcd-dr/sdk', version: 'unknown' },
        createdAt: new Date(started).toISOString(),
        cluster: { name: namespace, topology: 'kubeception', ha: saved.ha, members: saved.members },
        etcd: { version: etcdVersion },
        snapshot: { revision: facts.revision, totalKeys: facts.totalKeys, hash: 'hashed' },
      }),
    );
    return {
      path: committed.path,
      manifest: committed.manifest,
      pod: podName,
      snapshotBytes: snapshotSize,
      resumes,
      durationMs: Date.now() - started,
      warnings,
    };
  } catch (error) {
    await writer?.abort();
    throw localNoSpace(error) ?? error;
  } finally {
    emit({ kind: 'step', step: 'cleanup', status: 'started' });
    await statusInPod?.catch(() => undefined);
    const removed = await admin
      .exec({ namespace, pod: podName, container, command: plan.cleanup.command })
      .then(
        (result) => (result.exitCode === 0 ? undefined : firstLine(result.stderr)),
        (error: unknown) => (error as Error).message,
      );
    if (removed !== undefined) {
      warnings.push(
        `could not remove ${temporaryFile} from pod ${namespace}/${podName} (${removed}); delete it by hand: it holds every Secret of the cluster`,
      );
    }
    emit({ kind: 'step', step: 'cleanup', status: 'done' });
  }
}

interface RestoreObjects {
  ha: boolean;
  members: ReturnType<typeof kubeceptionMembers>;
  replicas: Record<string, number | null>;
  pdb: unknown;
  secret: unknown;
}

async function readRestoreObjects(options: {
  admin: KubeConnection;
  namespace: string;
  pods: V1Pod[];
}): Promise<RestoreObjects> {
  const { admin, namespace } = options;
  const optional = <T>(promise: Promise<T>): Promise<T | undefined> =>
    promise.catch((error: unknown) => {
      if (KubeError.isInstance(error) && error.code === 'KUBE_NOT_FOUND') return undefined;
      throw error;
    });
  const [etcdSet, apiserverSet, maintenance, pdb, secrets] = await Promise.all([
    optional(
      admin.call(`get statefulset ${namespace}/kube-etcd`, () =>
        admin.apps.readNamespacedStatefulSet({ name: 'kube-etcd', namespace }),
      ),
    ),
    optional(
      admin.call(`get statefulset ${namespace}/kube-apiserver`, () =>
        admin.apps.readNamespacedStatefulSet({ name: 'kube-apiserver', namespace }),
      ),
    ),
    optional(
      admin.call(`get deployment ${namespace}/gke-master-etcd-maintenance`, () =>
        admin.apps.readNamespacedDeployment({ name: 'gke-master-etcd-maintenance', namespace }),
      ),
    ),
    optional(
      admin.call(`get pdb ${namespace}/kube-apiserver-pdb`, () =>
        admin.policy.readNamespacedPodDisruptionBudget({ name: 'kube-apiserver-pdb', namespace }),
      ),
    ),
    admin.call(`list secrets in ${namespace}`, () => admin.core.listNamespacedSecret({ namespace })),
  ]);
  if (!etcdSet) throw objectNotFound(namespace, 'statefulset', 'kube-etcd');
  const secret = secrets.items.find((item) => item.metadata?.name?.startsWith('kube-etcd-certs'));
  if (!secret) throw objectNotFound(namespace, 'secret', 'kube-etcd-certs-*');
  return {
    ha: (etcdSet.spec?.replicas ?? 1) > 1,
    members: kubeceptionMembers({ statefulSet: etcdSet, pods: options.pods }),
    replicas: {
      'statefulset/kube-etcd': etcdSet.spec?.replicas ?? 1,
      'statefulset/kube-apiserver': apiserverSet?.spec?.replicas ?? null,
      'deployment/gke-master-etcd-maintenance': maintenance?.spec?.replicas ?? null,
    },
    pdb: pdb ? forRecreation(pdb) : undefined,
    secret: forRecreation(secret),
  };
}

function objectNotFound(namespace: string, kind: string, name: string): BackupError {
  return new BackupError({
    code: 'BACKUP_OBJECT_NOT_FOUND',
    step: 'save-objects',
    object: `${kind} ${namespace}/${name}`,
    message: `${kind} ${name} is missing from namespace ${namespace} of the admin cluster; a restore needs it`,
    remedy: 'check userCluster.name in etcd-dr.yaml and that the admin kubeconfig is the admin cluster',
  });
}

/** Strips what the server sets, so the saved object can be created again as is. */
function forRecreation(object: object): unknown {
  const plain = JSON.parse(JSON.stringify(object)) as {
    metadata?: Record<string, unknown>;
    status?: unknown;
  };
  for (const field of ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation']) {
    delete plain.metadata?.[field];
  }
  delete plain.status;
  return plain;
}

async function addMaybeEncrypted(options: {
  writer: Awaited<ReturnType<typeof createBundleWriter>>;
  path: string;
  role: 'snapshot' | 'object';
  content: BundleContent;
  recipients: string[];
  digest?: () => { size: number; sha256: string };
}): Promise<void> {
  const { writer, path, role, recipients } = options;
  if (recipients.length === 0) {
    await writer.addFile({
      path,
      role,
      content: options.content,
      ...(options.digest ? { digest: options.digest } : {}),
    });
    return;
  }
  const source = Readable.from(
    typeof options.content === 'string' ? [Buffer.from(options.content)] : options.content,
  );
  const ciphertext = new PassThrough();
  const encrypting = ageEncrypt({ source, destination: ciphertext, recipients });
  encrypting.catch((error: unknown) => ciphertext.destroy(error as Error));
  try {
    await writer.addFile({ path, role, encryption: 'age', content: ciphertext });
    await encrypting;
  } finally {
    source.destroy();
  }
}

async function snapshotStatusInPod(options: {
  inPod: (command: string[], what: string) => Promise<{ exitCode: number; stdout: Buffer; stderr: string }>;
  command: string[];
  file: string;
  pod: string;
}): Promise<{ revision: number; totalKeys: number }> {
  const result = await options.inPod(options.command, 'reading the snapshot status');
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
      step: 'snapshot',
      object: `pod ${options.pod} file ${options.file}`,
      message: `\`etcdctl snapshot status\` in pod ${options.pod} failed (exit ${result.exitCode}): ${firstLine(result.stderr)}`,
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
    // Reported below as unknown: the version is informative, not needed for a restore.
  }
  return 'unknown';
}

function localNoSpace(error: unknown): BackupError | undefined {
  if (!BundleError.isInstance(error) || error.code !== 'BUNDLE_WRITE_FAILED') return undefined;
  const bundleError = error as BundleError;
  if ((bundleError.cause as NodeJS.ErrnoException | undefined)?.code !== 'ENOSPC') return undefined;
  return new BackupError({
    code: 'BACKUP_NO_SPACE',
    step: 'write-bundle',
    object: bundleError.bundlePath,
    message: `no space left while writing bundle ${bundleError.bundlePath}`,
    remedy: 'free space in the output folder or choose another with --out; nothing was kept',
    cause: error,
  });
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function timestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] || '(no output)';
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) || '(no output)';
}
