import { randomBytes } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { BundleError } from '../bundle/bundle-error.js';
import { bundleFilePath } from '../bundle/bundle-file-path.js';
import type { BundleManifest, BundleMember } from '../bundle/bundle-manifest.js';
import { type BundleWriter, createBundleWriter } from '../bundle/create-bundle-writer.js';
import { parseAgeRecipients } from '../bundle-crypto/parse-age-recipients.js';
import type { ClusterConfig, SshNode } from '../cluster/cluster-config.js';
import { connectKube, type KubeConnection } from '../transport/kube/connect-kube.js';
import { KubeError } from '../transport/kube/kube-error.js';
import { addBundleContent } from './add-bundle-content.js';
import { BackupError, type BackupStep } from './backup-error.js';
import { backupNodePki } from './backup-node-pki.js';
import type { BackupProgressEvent } from './backup-progress.js';
import { type BackupNodeConnections, connectBackupNodes } from './connect-backup-nodes.js';
import {
  checkControlplaneV2EtcdPods,
  etcdMemberOfCommand,
  etcdPodMember,
  etcdPodSelector,
} from './controlplane-v2-etcd-pods.js';
import { detectTopology } from './detect-topology.js';
import { kubeceptionMembers } from './kubeception-members.js';
import { isPodReady, kubeEtcdPods, pickEtcdPod } from './pick-etcd-pod.js';
import {
  type EtcdPodSnapshotPlan,
  etcdClientCertificates,
  planEtcdPodSnapshot,
} from './plan-etcd-pod-snapshot.js';
import { parseEndpointVersion, type RunBackupStep, snapshotEtcdPod } from './snapshot-etcd-pod.js';

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

/** The user cluster's side of a backup, found before anything is taken. */
interface UserTarget {
  kube: KubeConnection;
  plan: EtcdPodSnapshotPlan;
  ha: boolean;
  members: BundleMember[];
  /** Control-plane nodes whose PKI and etcd manifest are saved (Controlplane V2). */
  nodes: SshNode[];
  /** Version read while checking every member (Controlplane V2). */
  etcdVersion?: string;
  kubeception?: RestoreObjects;
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
  const recipients = (options.recipients ?? []).flatMap((text) =>
    parseAgeRecipients({ text, source: 'recipients' }),
  );
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

  const user: UserTarget =
    topology === 'controlplane-v2'
      ? await findControlplaneV2({ config, kube: await connectUser(), step, temporaryFile: temporaryFile() })
      : await findKubeception({ config, admin, step, temporaryFile: temporaryFile() });

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
  const bundleName = options.name ?? `${namespace}-${timestamp(new Date(started))}`;
  let writer: BundleWriter | undefined;
  try {
    writer = await step('write-bundle', () =>
      createBundleWriter({ directory: options.outputDirectory, name: bundleName }),
    );
    const bundle = writer;
    const snapshot = await snapshotEtcdPod({
      kube: user.kube,
      plan: user.plan,
      writer: bundle,
      role: 'snapshot',
      path: bundleFilePath({ role: 'snapshot', ...(encrypted ? { encryption: 'age' } : {}) }),
      recipients,
      step,
      emit,
      skipCheck: user.etcdVersion !== undefined,
      onCleanupFailure: (warning) => warnings.push(warning),
      ...(options.maxResumes === undefined ? {} : { maxResumes: options.maxResumes }),
      ...signal,
    });

    const manifests = new Map<string, string>();
    await Promise.all(
      user.nodes.map((node) =>
        nodeStep(
          'pki',
          node.name,
          async () => {
            const saved = await backupNodePki({
              connection: nodes!.connections.get(node.name)!,
              writer: bundle,
              role: 'pki',
              recipients,
              etcdManifest: true,
              ...signal,
            });
            if (saved.etcdManifest !== undefined) manifests.set(node.name, saved.etcdManifest);
            return saved;
          },
          (saved) => `${saved.pkiBytes} bytes`,
        ),
      ),
    );

    let adminSnapshot: Awaited<ReturnType<typeof snapshotEtcdPod>> | undefined;
    if (adminPlan) {
      adminSnapshot = await step(
        'admin-snapshot',
        () =>
          snapshotEtcdPod({
            kube: admin,
            plan: adminPlan,
            writer: bundle,
            role: 'admin-snapshot',
            path: bundleFilePath({ role: 'admin-snapshot', ...(encrypted ? { encryption: 'age' } : {}) }),
            recipients,
            errorStep: 'admin-snapshot',
            emit,
            onCleanupFailure: (warning) => warnings.push(warning),
            ...(options.maxResumes === undefined ? {} : { maxResumes: options.maxResumes }),
            ...signal,
          }),
        (value) => `revision ${value.revision}, ${value.totalKeys} keys`,
      );
      await nodeStep(
        'admin-pki',
        adminNode!.name,
        () =>
          backupNodePki({
            connection: nodes!.connections.get(adminNode!.name)!,
            writer: bundle,
            role: 'admin-pki',
            recipients,
            ...signal,
          }),
        (saved) => `${saved.pkiBytes} bytes`,
      );
    }

    const members =
      user.nodes.length > 0
        ? completeMembers({ members: user.members, nodes: user.nodes, manifests })
        : user.members;
    await step('save-objects', () =>
      saveObjects({ writer: bundle, user, members, snapshotFrom: user.plan.pod, recipients }),
    );

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

async function findKubeception(options: {
  config: ClusterConfig;
  admin: KubeConnection;
  step: RunBackupStep;
  temporaryFile: string;
}): Promise<UserTarget> {
  const { admin, step, config } = options;
  const namespace = config.userCluster.name;
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
  const saved = await step('save-objects', () =>
    readRestoreObjects({ admin, namespace, pods: found.members }),
  );
  return {
    kube: admin,
    plan: planEtcdPodSnapshot({
      namespace,
      pod: found.pod.metadata?.name as string,
      container: 'kube-etcd',
      certificates: etcdClientCertificates.kubeception,
      temporaryFile: options.temporaryFile,
      kubeconfigPath: config.adminCluster.kubeconfig,
    }),
    ha: saved.ha,
    members: saved.members,
    nodes: [],
    kubeception: saved,
  };
}

async function findControlplaneV2(options: {
  config: ClusterConfig;
  kube: KubeConnection;
  step: RunBackupStep;
  temporaryFile: string;
}): Promise<UserTarget> {
  const { kube, step, config } = options;
  const nodes = config.userCluster.controlPlaneNodes;
  const cluster = `user cluster ${config.userCluster.name}`;
  if (nodes.length === 0) {
    throw new BackupError({
      code: 'BACKUP_CONFIG_INCOMPLETE',
      step: 'find-etcd',
      object: 'userCluster.controlPlaneNodes',
      message: `${cluster} uses Controlplane V2 but etcd-dr.yaml lists no userCluster.controlPlaneNodes; their PKI must be backed up over SSH`,
      remedy:
        'add every control-plane node (name, address, identityFile, hostKey) under userCluster.controlPlaneNodes',
    });
  }
  const plans = (pods: V1Pod[]) =>
    pods.map((pod) =>
      planEtcdPodSnapshot({
        namespace: 'kube-system',
        pod: pod.metadata?.name as string,
        container: 'etcd',
        certificates: etcdClientCertificates.controlplaneV2,
        temporaryFile: options.temporaryFile,
        kubeconfigPath: config.userCluster.kubeconfig,
      }),
    );
  const pods = await step(
    'find-etcd',
    async () => {
      const listed = await kube.call('list etcd pods in kube-system of the user cluster', () =>
        kube.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: etcdPodSelector }),
      );
      return checkControlplaneV2EtcdPods({
        pods: listed.items,
        nodes: nodes.map((node) => node.name),
        cluster,
      });
    },
    (value) => value.map((pod) => pod.metadata?.name).join(', '),
  );
  const memberPlans = plans(pods);
  const versions = await step(
    'check-etcd',
    () =>
      Promise.all(
        memberPlans.map(async (plan) => {
          const where = `pod kube-system/${plan.pod}`;
          const status = await kube
            .exec({
              namespace: plan.namespace,
              pod: plan.pod,
              container: plan.container,
              command: plan.checkEtcd.command,
            })
            .catch((error: unknown) => {
              throw new BackupError({
                code: 'BACKUP_ETCD_UNHEALTHY',
                step: 'check-etcd',
                object: where,
                message: `etcd member ${plan.pod} of ${cluster} cannot be checked: ${(error as Error).message}`,
                remedy:
                  'a Controlplane V2 backup needs every member healthy; repair it and run the backup again',
                cause: error,
              });
            });
          if (status.exitCode !== 0) {
            throw new BackupError({
              code: 'BACKUP_ETCD_UNHEALTHY',
              step: 'check-etcd',
              object: where,
              message: `etcd member ${plan.pod} of ${cluster} does not answer \`etcdctl endpoint status\`: ${status.stderr.trim().split('\n')[0] || `exit ${status.exitCode}`}`,
              remedy:
                'a Controlplane V2 backup needs every member healthy; check its logs and certificates, then run the backup again',
            });
          }
          return parseEndpointVersion(status.stdout.toString('utf8'));
        }),
      ),
    (value) => `${value.length} member${value.length > 1 ? 's' : ''} healthy`,
  );
  const members = pods.flatMap((pod) => {
    const member = etcdPodMember(pod);
    return member ? [member] : [];
  });
  return {
    kube,
    plan: memberPlans[0]!,
    ha: pods.length > 1,
    members,
    nodes,
    etcdVersion: versions[0]!,
  };
}

async function findAdminEtcd(options: {
  admin: KubeConnection;
  node: string;
  kubeconfigPath: string;
  temporaryFile: string;
}): Promise<EtcdPodSnapshotPlan> {
  const { admin } = options;
  const name = `etcd-${options.node}`;
  const object = `pod kube-system/${name} of the admin cluster`;
  const pod = await admin
    .call(`get pod kube-system/${name} in the admin cluster`, () =>
      admin.core.readNamespacedPod({ name, namespace: 'kube-system' }),
    )
    .catch((error: unknown) => {
      if (KubeError.isInstance(error) && error.code === 'KUBE_NOT_FOUND') {
        throw new BackupError({
          code: 'BACKUP_POD_NOT_FOUND',
          step: 'find-etcd',
          object,
          message: `no ${object} (the etcd static pod of admin control-plane node ${options.node})`,
          remedy:
            'check adminCluster.controlPlaneNode.name in etcd-dr.yaml against `kubectl get pods -n kube-system -l component=etcd,tier=control-plane` on the admin cluster, or pass --no-admin',
          cause: error,
        });
      }
      throw error;
    });
  if (!isPodReady(pod)) {
    throw new BackupError({
      code: 'BACKUP_ETCD_UNHEALTHY',
      step: 'find-etcd',
      object,
      message: `the admin cluster's etcd member ${name} is not Ready`,
      remedy: 'repair the admin cluster first, or back up the user cluster alone with --no-admin',
    });
  }
  return planEtcdPodSnapshot({
    namespace: 'kube-system',
    pod: name,
    container: 'etcd',
    certificates: etcdClientCertificates.admin,
    temporaryFile: options.temporaryFile,
    kubeconfigPath: options.kubeconfigPath,
  });
}

/** Members named in the pods, completed from each node's etcd manifest when a pod spec did not say. */
function completeMembers(options: {
  members: BundleMember[];
  nodes: SshNode[];
  manifests: Map<string, string>;
}): BundleMember[] {
  return options.nodes.map((node) => {
    const known = options.members.find((member) => member.node === node.name || member.name === node.name);
    if (known) return known;
    const text = options.manifests.get(node.name);
    const manifest = (text ? parseYaml(text) : undefined) as
      | { spec?: { containers?: Array<{ name?: string; command?: string[]; args?: string[] }> } }
      | undefined;
    const container = manifest?.spec?.containers?.find((entry) => entry.name === 'etcd');
    const member = etcdMemberOfCommand({
      words: [...(container?.command ?? []), ...(container?.args ?? [])],
      node: node.name,
    });
    if (!member) {
      throw new BackupError({
        code: 'BACKUP_OBJECT_NOT_FOUND',
        step: 'save-objects',
        object: `node ${node.name} file /etc/kubernetes/manifests/etcd.yaml`,
        message: `neither pod etcd-${node.name} nor the etcd manifest of node ${node.name} names the member (--name, --initial-advertise-peer-urls)`,
        remedy:
          "a restore needs every member's name and peer URL; check the etcd static pod manifest of the node",
      });
    }
    return member;
  });
}

async function saveObjects(options: {
  writer: BundleWriter;
  user: UserTarget;
  members: BundleMember[];
  snapshotFrom: string;
  recipients: string[];
}): Promise<void> {
  const { writer, user, recipients } = options;
  await writer.addFile({
    path: bundleFilePath({ role: 'object', name: 'members.json' }),
    role: 'object',
    content: json({ snapshotFrom: options.snapshotFrom, members: options.members }),
  });
  const saved = user.kubeception;
  if (!saved) return;
  await writer.addFile({
    path: bundleFilePath({ role: 'object', name: 'replicas.json' }),
    role: 'object',
    content: json(saved.replicas),
  });
  if (saved.pdb) {
    await writer.addFile({
      path: bundleFilePath({ role: 'object', name: 'kube-apiserver-pdb.json' }),
      role: 'object',
      content: json(saved.pdb),
    });
  }
  await addBundleContent({
    writer,
    path: bundleFilePath({
      role: 'object',
      name: 'kube-etcd-certs.json',
      ...(recipients.length > 0 ? { encryption: 'age' } : {}),
    }),
    role: 'object',
    content: json(saved.secret),
    recipients,
  });
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
