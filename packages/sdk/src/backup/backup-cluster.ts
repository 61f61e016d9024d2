import { randomBytes } from 'node:crypto';
import { BundleError } from '../bundle/bundle-error.js';
import { bundleFilePath } from '../bundle/bundle-file-path.js';
import type { BundleManifest, BundleMember } from '../bundle/bundle-manifest.js';
import { type BundleFormat, type BundleWriter, createBundleWriter } from '../bundle/create-bundle-writer.js';
import { parseAgeRecipients } from '../bundle-crypto/parse-age-recipients.js';
import type { ClusterConfig } from '../cluster/cluster-config.js';
import { connectKube, type KubeConnection } from '../transport/kube/connect-kube.js';
import { BackupError, type BackupStep } from './backup-error.js';
import { backupNodePki } from './backup-node-pki.js';
import type { BackupProgressEvent } from './backup-progress.js';
import type { BackupUserTarget } from './backup-user-target.js';
import { completeControlplaneV2Members } from './complete-controlplane-v2-members.js';
import { type BackupNodeConnections, connectBackupNodes } from './connect-backup-nodes.js';
import { detectTopology } from './detect-topology.js';
import { findAdminEtcd } from './find-admin-etcd.js';
import { findControlplaneV2Target } from './find-controlplane-v2-target.js';
import { findKubeceptionTarget } from './find-kubeception-target.js';
import { runTogether } from './run-together.js';
import { saveRestoreObjects } from './save-restore-objects.js';
import { type RunBackupStep, snapshotEtcdPod } from './snapshot-etcd-pod.js';

/** Options of {@link backupCluster}. */
export interface BackupClusterOptions {
  /** The target, as `loadClusterConfig` returns it (absolute paths). */
  config: ClusterConfig;
  /** Folder the bundle directory is created in (created 0700 when missing). */
  outputDirectory: string;
  /**
   * age recipients (`age1...`). When given, the snapshots, the PKI archives and the etcd certificates Secret
   * are stored age-encrypted, encrypted as they stream in (never unencrypted on disk). Default none: stored
   * as is.
   */
  recipients?: string[];
  /**
   * Also back up the admin cluster: its etcd snapshot (pod `etcd-NODE` in kube-system, healthcheck-client
   * certificate) and the PKI of its control-plane node (`adminCluster.controlPlaneNode`) over SSH, as the
   * runbook's script does. Default true.
   */
  includeAdmin?: boolean;
  /** Bundle name. Default `CLUSTER-YYYYMMDDTHHMMSSZ`. */
  name?: string;
  /** `directory`, or `tar` for one reproducible `NAME.tar` (what the GitHub Action uploads). Default `directory`. */
  format?: BundleFormat;
  /** Recorded in the manifest. Default `{ name: '@etcd-dr/sdk', version: 'unknown' }`. */
  tool?: { name: string; version: string };
  /** Receives typed progress events; must not throw. Default: none. */
  onProgress?: (event: BackupProgressEvent) => void;
  /** Reconnections allowed while streaming each snapshot. Default 5. */
  maxResumes?: number;
  signal?: AbortSignal;
}

/** A finished backup. */
export interface BackupClusterResult {
  /** The bundle directory. */
  path: string;
  manifest: BundleManifest;
  /** The member the user cluster's snapshot was taken from. */
  pod: string;
  /** The admin cluster's etcd pod, when the admin cluster was included. */
  adminPod?: string;
  /** Nodes whose PKI was archived (user control-plane nodes, then the admin control-plane node). */
  pkiNodes: string[];
  /** Bytes of the user cluster's snapshot (plaintext size). */
  snapshotBytes: number;
  /** Reconnections during the snapshot transfers. */
  resumes: number;
  durationMs: number;
  /** Problems that did not fail the backup, e.g. a temporary file that could not be removed from a pod. */
  warnings: string[];
}

/**
 * Backs up a user cluster's etcd into a bundle, for both topologies (non-HA and HA):
 * - Kubeception: snapshots `kube-etcd-0` (or the first Ready member) and saves the objects a restore needs
 *   (the `kube-etcd-certs-*` Secret, the PDB `kube-apiserver-pdb`, replica counts, members).
 * - Controlplane V2: requires every `etcd-NODE` member Ready and answering, as the runbook does, snapshots
 *   the first configured node's member, and archives `/etc/kubernetes/pki` of every control-plane node over
 *   SSH with sudo (no mode changed) plus its etcd manifest; members are named after their nodes.
 * - With `includeAdmin` (default): the admin cluster's etcd snapshot and its control-plane node's PKI.
 * Every SSH connection goes through the config's jump host when there is one; pinned host keys are checked,
 * unpinned ones recorded in `manifest.hostKeys`. SSH access and sudo are checked before any snapshot is
 * taken. Each snapshot is taken in the pod, streamed out with its SHA-256 computed on the way (resuming
 * dropped connections), checked against its trailing SHA-256; the temporary file is removed from the pod
 * whatever happens. A failed backup leaves no bundle directory.
 * @throws BackupError (`BACKUP_CONFIG_INCOMPLETE`, `BACKUP_POD_NOT_FOUND`, `BACKUP_ETCD_UNHEALTHY`,
 * `BACKUP_SNAPSHOT_FAILED`, `BACKUP_NO_SPACE`, `BACKUP_TRANSFER_FAILED`, `BACKUP_SNAPSHOT_CORRUPT`,
 * `BACKUP_OBJECT_NOT_FOUND`, `BACKUP_TOPOLOGY_UNKNOWN`), SshError (`SSH_AUTH_FAILED`, `SSH_HOST_KEY_MISMATCH`,
 * `SSH_SUDO_PASSWORD_REQUIRED`, ...), KubeError (kubeconfig, API), BundleError, CryptoError.
 */
export async function backupCluster(options: BackupClusterOptions): Promise<BackupClusterResult> {
  const started = Date.now();
  const { config } = options;
  const recipients = (
    await Promise.all(
      (options.recipients ?? []).map((text) => parseAgeRecipients({ text, source: 'recipients' })),
    )
  ).flat();
  const encrypted = recipients.length > 0;
  const includeAdmin = options.includeAdmin ?? true;
  const namespace = config.userCluster.name;
  const signal = options.signal ? { signal: options.signal } : {};
  const emit = (event: BackupProgressEvent) => options.onProgress?.(event);
  const step: RunBackupStep = async (name, run, detail) => {
    options.signal?.throwIfAborted();
    emit({ kind: 'step', step: name, status: 'started' });
    const value = await run();
    const text = detail?.(value);
    emit({ kind: 'step', step: name, status: 'done', ...(text ? { detail: text } : {}) });
    return value;
  };
  const nodeStep = async <T>(
    name: BackupStep,
    node: string,
    run: () => Promise<T>,
    detail?: (value: T) => string,
  ) => {
    options.signal?.throwIfAborted();
    emit({ kind: 'step', step: name, status: 'started', node });
    const value = await run();
    const text = detail?.(value);
    emit({ kind: 'step', step: name, status: 'done', node, ...(text ? { detail: text } : {}) });
    return value;
  };

  const adminNode = config.adminCluster.controlPlaneNode;
  if (includeAdmin && !adminNode) {
    throw new BackupError({
      code: 'BACKUP_CONFIG_INCOMPLETE',
      step: 'connect',
      object: 'adminCluster.controlPlaneNode',
      message:
        'the admin cluster backup (on by default) needs adminCluster.controlPlaneNode in etcd-dr.yaml, to read its PKI over SSH',
      remedy:
        'add adminCluster.controlPlaneNode (name, address, identityFile) to etcd-dr.yaml, or leave the admin cluster out with --no-admin (includeAdmin: false)',
    });
  }
  const admin = await step('connect', () => connectKube({ kubeconfigPath: config.adminCluster.kubeconfig }));
  let userKube: KubeConnection | undefined;
  const connectUser = async () => {
    userKube ??= await connectKube({ kubeconfigPath: config.userCluster.kubeconfig });
    return userKube;
  };
  const topology = await step(
    'detect-topology',
    async () =>
      config.userCluster.topology !== 'auto'
        ? config.userCluster.topology
        : detectTopology({ userCluster: await connectUser(), clusterName: namespace }),
    (value) => value,
  );
  const temporaryFile = () => `/tmp/etcd-dr-${randomBytes(8).toString('hex')}.db`;

  const user: BackupUserTarget =
    topology === 'controlplane-v2'
      ? await findControlplaneV2Target({
          config,
          kube: await connectUser(),
          step,
          temporaryFile: temporaryFile(),
        })
      : await findKubeceptionTarget({ config, admin, step, temporaryFile: temporaryFile() });

  const adminPlan = includeAdmin
    ? await step(
        'find-etcd',
        () =>
          findAdminEtcd({
            admin,
            node: adminNode!.name,
            kubeconfigPath: config.adminCluster.kubeconfig,
            temporaryFile: temporaryFile(),
          }),
        (plan) => `admin ${plan.pod}`,
      )
    : undefined;

  const sshNodes = [...user.nodes, ...(includeAdmin ? [adminNode!] : [])];
  let nodes: BackupNodeConnections | undefined;
  if (sshNodes.length > 0) {
    nodes = await step(
      'connect-ssh',
      () =>
        connectBackupNodes({
          nodes: sshNodes,
          ...(config.jumpHost ? { jumpHost: config.jumpHost } : {}),
          ...signal,
        }),
      () =>
        `${sshNodes.map((node) => node.name).join(', ')}${config.jumpHost ? ` through ${config.jumpHost.name}` : ''}`,
    );
  }

  const warnings: string[] = [];
  let members: BundleMember[] = user.members;
  const bundleName = options.name ?? `${namespace}-${timestamp(new Date(started))}`;
  let writer: BundleWriter | undefined;
  try {
    writer = await step('write-bundle', () =>
      createBundleWriter({
        directory: options.outputDirectory,
        name: bundleName,
        ...(options.format ? { format: options.format } : {}),
      }),
    );
    const bundle = writer;
    const pki = (node: { name: string }, role: 'pki' | 'admin-pki', taskSignal: AbortSignal) =>
      nodeStep(
        role,
        node.name,
        () =>
          backupNodePki({
            connection: nodes!.connections.get(node.name)!,
            writer: bundle,
            role,
            recipients,
            etcdManifest: role === 'pki',
            signal: taskSignal,
          }),
        (saved) => `${saved.pkiBytes} bytes`,
      );
    // The PKI archives and the saved objects go into the bundle while the snapshot streams: they need
    // nothing from it, and on Controlplane V2 the SSH reads would otherwise wait for the whole transfer.
    const [snapshot] = await runTogether({
      tasks: [
        (taskSignal) =>
          snapshotEtcdPod({
            kube: user.kube,
            plan: user.plan,
            writer: bundle,
            role: 'snapshot',
            path: bundleFilePath({ role: 'snapshot', ...(encrypted ? { encryption: 'age' } : {}) }),
            recipients,
            step,
            emit,
            skipCheck: user.etcdVersion !== undefined,
            ...(user.etcdDbSize === undefined ? {} : { estimatedBytes: user.etcdDbSize }),
            onCleanupFailure: (warning) => warnings.push(warning),
            ...(options.maxResumes === undefined ? {} : { maxResumes: options.maxResumes }),
            signal: taskSignal,
          }),
        async (taskSignal) => {
          const manifests = new Map<string, string>();
          await Promise.all(
            user.nodes.map(async (node) => {
              const saved = await pki(node, 'pki', taskSignal);
              if (saved.etcdManifest !== undefined) manifests.set(node.name, saved.etcdManifest);
            }),
          );
          members =
            user.nodes.length > 0
              ? completeControlplaneV2Members({
                  members: user.members,
                  nodes: user.nodes.map((node) => node.name),
                  manifests,
                })
              : user.members;
          await step('save-objects', () =>
            saveRestoreObjects({ writer: bundle, user, members, snapshotFrom: user.plan.pod, recipients }),
          );
        },
      ],
      isConsequence: siblingConsequence,
      ...signal,
    });

    let adminSnapshot: Awaited<ReturnType<typeof snapshotEtcdPod>> | undefined;
    if (adminPlan) {
      const [saved] = await runTogether({
        tasks: [
          (taskSignal) =>
            step(
              'admin-snapshot',
              () =>
                snapshotEtcdPod({
                  kube: admin,
                  plan: adminPlan,
                  writer: bundle,
                  role: 'admin-snapshot',
                  path: bundleFilePath({
                    role: 'admin-snapshot',
                    ...(encrypted ? { encryption: 'age' } : {}),
                  }),
                  recipients,
                  errorStep: 'admin-snapshot',
                  emit,
                  onCleanupFailure: (warning) => warnings.push(warning),
                  ...(options.maxResumes === undefined ? {} : { maxResumes: options.maxResumes }),
                  signal: taskSignal,
                }),
              (value) => `revision ${value.revision}, ${value.totalKeys} keys`,
            ),
          (taskSignal: AbortSignal) => pki(adminNode!, 'admin-pki', taskSignal),
        ],
        isConsequence: siblingConsequence,
        ...signal,
      });
      adminSnapshot = saved;
    }

    const committed = await step('write-bundle', () =>
      bundle.commit({
        tool: options.tool ?? { name: '@etcd-dr/sdk', version: 'unknown' },
        createdAt: new Date(started).toISOString(),
        cluster: { name: namespace, topology, ha: user.ha, members },
        etcd: { version: user.etcdVersion ?? snapshot.etcdVersion },
        snapshot: { revision: snapshot.revision, totalKeys: snapshot.totalKeys, hash: 'hashed' },
        hostKeys: nodes?.hostKeys ?? {},
      }),
    );
    return {
      path: committed.path,
      manifest: committed.manifest,
      pod: user.plan.pod,
      ...(adminPlan ? { adminPod: adminPlan.pod } : {}),
      pkiNodes: sshNodes.map((node) => node.name),
      snapshotBytes: snapshot.bytes,
      resumes: snapshot.resumes + (adminSnapshot?.resumes ?? 0),
      durationMs: Date.now() - started,
      warnings,
    };
  } catch (error) {
    await writer?.abort();
    throw localNoSpace(error) ?? error;
  } finally {
    emit({ kind: 'step', step: 'cleanup', status: 'started' });
    await nodes?.close();
    emit({ kind: 'step', step: 'cleanup', status: 'done' });
  }
}

/** Errors a failing sibling causes: the shared bundle writer aborted under a task, or its transfer cancelled. */
function siblingConsequence(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'BUNDLE_WRITER_CLOSED' || code === 'SSH_ABORTED';
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

function timestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}
