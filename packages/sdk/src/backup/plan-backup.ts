import { bundleFilePath } from '../bundle/bundle-file-path.js';
import type { ClusterConfig, SshNode } from '../cluster/cluster-config.js';
import type { PlanStep } from '../plan/plan-step.js';
import { shellQuote } from '../transport/ssh/shell-quote.js';
import { sudoPrefix } from '../transport/ssh/sudo-failure.js';
import { etcdManifestPath, nodePkiDirectory } from './backup-node-pki.js';
import { etcdPodSelector } from './controlplane-v2-etcd-pods.js';
import type { DetectedTopology } from './detect-topology.js';
import {
  type EtcdPodSnapshotPlan,
  etcdClientCertificates,
  planEtcdPodSnapshot,
} from './plan-etcd-pod-snapshot.js';

/** Kinds of the steps of a {@link BackupPlan}. */
export type BackupPlanStepKind =
  | 'backup.find-etcd'
  | 'backup.connect-ssh'
  | 'backup.snapshot'
  | 'backup.pki'
  | 'backup.admin-snapshot'
  | 'backup.admin-pki'
  | 'backup.save-objects'
  | 'backup.write-bundle';

/** What `etcd-dr backup --plan` prints: the steps a backup takes, each with its equivalent commands. */
export interface BackupPlan {
  kind: 'backup';
  planVersion: 1;
  cluster: { name: string; topology: DetectedTopology };
  /** Whether the admin cluster's etcd and control-plane node PKI are included. */
  includeAdmin: boolean;
  /** Whether the snapshot and PKI archives are age-encrypted. */
  encrypted: boolean;
  steps: PlanStep<BackupPlanStepKind>[];
}

/** Options of {@link planBackup}. */
export interface PlanBackupOptions {
  /** The target, as `loadClusterConfig` returns it. */
  config: ClusterConfig;
  /** The user cluster's topology (resolved when the config says `auto`). */
  topology: DetectedTopology;
  /** Include the admin cluster's etcd snapshot and its control-plane node's PKI. Default true. */
  includeAdmin?: boolean;
  /** The bundle is encrypted to age recipients. Default false. */
  encrypted?: boolean;
  /** The snapshot's temporary path in the pod. Default `/tmp/etcd-dr-RANDOM.db`. */
  temporaryFile?: string;
  /** Kubeception: the member to snapshot. Default `kube-etcd-0` (a backup takes the first Ready one when it is not). */
  kubeceptionPod?: string;
}

/**
 * Pure: the steps `backupCluster` takes for a target, in order, each with what it reads and the equivalent
 * kubectl/ssh commands (for audit, and to do the backup by hand). Nothing in a backup changes the cluster
 * except a temporary snapshot file in the etcd pod, removed at the end.
 */
export function planBackup(options: PlanBackupOptions): BackupPlan {
  const { config, topology } = options;
  const includeAdmin = options.includeAdmin ?? true;
  const encrypted = options.encrypted ?? false;
  const temporaryFile = options.temporaryFile ?? '/tmp/etcd-dr-RANDOM.db';
  const name = config.userCluster.name;
  const userKubeconfig = config.userCluster.kubeconfig;
  const adminKubeconfig = config.adminCluster.kubeconfig;
  const age = encrypted ? ' | age -R RECIPIENTS_FILE' : '';
  const suffix = encrypted ? '.age' : '';
  const steps: PlanStep<BackupPlanStepKind>[] = [];
  const cpv2 = topology === 'controlplane-v2';
  const userNodes = cpv2 ? config.userCluster.controlPlaneNodes : [];
  const adminNode = includeAdmin ? config.adminCluster.controlPlaneNode : undefined;

  const userPod = cpv2
    ? planEtcdPodSnapshot({
        namespace: 'kube-system',
        pod: `etcd-${userNodes[0]?.name ?? 'NODE'}`,
        container: 'etcd',
        certificates: etcdClientCertificates.controlplaneV2,
        temporaryFile,
        kubeconfigPath: userKubeconfig,
      })
    : planEtcdPodSnapshot({
        namespace: name,
        pod: options.kubeceptionPod ?? 'kube-etcd-0',
        container: 'kube-etcd',
        certificates: etcdClientCertificates.kubeception,
        temporaryFile,
        kubeconfigPath: adminKubeconfig,
      });

  steps.push({
    id: 'find-etcd',
    kind: 'backup.find-etcd',
    title: cpv2
      ? `Check that every etcd member of ${name} is healthy`
      : `Find a Ready etcd member of ${name} in the admin cluster`,
    description: cpv2
      ? `List the etcd static pods (${etcdPodSelector}) in kube-system of the user cluster; every member must be Ready and answer etcdctl, as the runbook requires for a Controlplane V2 backup.`
      : `List the kube-etcd-N pods in namespace ${name} of the admin cluster; snapshot kube-etcd-0, or the first Ready member when it is not.`,
    commands: cpv2
      ? [
          `kubectl --kubeconfig ${shellQuote(userKubeconfig)} get pods -n kube-system -l ${etcdPodSelector} -o wide`,
          ...userNodes.map(
            (node) =>
              planEtcdPodSnapshot({
                namespace: 'kube-system',
                pod: `etcd-${node.name}`,
                container: 'etcd',
                certificates: etcdClientCertificates.controlplaneV2,
                temporaryFile,
                kubeconfigPath: userKubeconfig,
              }).checkEtcd.kubectl,
          ),
        ]
      : [`kubectl --kubeconfig ${shellQuote(adminKubeconfig)} get pods -n ${name} -o wide`],
    params: { namespace: userPod.namespace, pod: userPod.pod },
  });

  const sshNodes = [...userNodes, ...(adminNode ? [adminNode] : [])];
  if (sshNodes.length > 0) {
    steps.push({
      id: 'connect-ssh',
      kind: 'backup.connect-ssh',
      title: `Connect over SSH to ${sshNodes.map((node) => node.name).join(', ')}${config.jumpHost ? ` through jump host ${config.jumpHost.name}` : ''}`,
      description:
        'Key authentication; each host key is checked against its pinned fingerprint, or recorded in the bundle when none is pinned (trust on first use). Passwordless sudo is checked before any snapshot is taken.',
      commands: sshNodes.map((node) =>
        sshLine({ node, jumpHost: config.jumpHost, command: `${sudoPrefix} true` }),
      ),
      params: { nodes: sshNodes.map((node) => node.name) },
    });
  }

  steps.push(
    snapshotStep({
      id: 'snapshot',
      kind: 'backup.snapshot',
      title: `Snapshot etcd of ${name} in pod ${userPod.namespace}/${userPod.pod}`,
      plan: userPod,
      file: `${bundleFilePath({ role: 'snapshot' })}${suffix}`,
      age,
    }),
  );

  for (const node of userNodes)
    steps.push(pkiStep({ node, role: 'pki', jumpHost: config.jumpHost, age, suffix }));

  if (includeAdmin) {
    const adminPod = planEtcdPodSnapshot({
      namespace: 'kube-system',
      pod: `etcd-${adminNode?.name ?? 'ADMIN_NODE'}`,
      container: 'etcd',
      certificates: etcdClientCertificates.admin,
      temporaryFile,
      kubeconfigPath: adminKubeconfig,
    });
    steps.push(
      snapshotStep({
        id: 'admin-snapshot',
        kind: 'backup.admin-snapshot',
        title: `Snapshot the admin cluster's etcd in pod kube-system/${adminPod.pod}`,
        plan: adminPod,
        file: `${bundleFilePath({ role: 'admin-snapshot' })}${suffix}`,
        age,
      }),
    );
    if (adminNode) {
      steps.push(pkiStep({ node: adminNode, role: 'admin-pki', jumpHost: config.jumpHost, age, suffix }));
    }
  }

  steps.push({
    id: 'save-objects',
    kind: 'backup.save-objects',
    title: 'Save the objects a restore needs',
    description: cpv2
      ? 'The etcd members (name = node, peer URL) from the etcd pods; the etcd manifests were saved with each node. Written while the snapshot streams, once the PKI is read.'
      : `Written while the snapshot streams: the etcd members, the Secret kube-etcd-certs-* (${encrypted ? 'age-encrypted' : 'NOT encrypted'}), PDB kube-apiserver-pdb and the replica counts of kube-etcd, kube-apiserver and gke-master-etcd-maintenance.`,
    commands: cpv2
      ? [
          `kubectl --kubeconfig ${shellQuote(userKubeconfig)} get pods -n kube-system -l ${etcdPodSelector} -o yaml`,
        ]
      : [
          `kubectl --kubeconfig ${shellQuote(adminKubeconfig)} get secrets -n ${name} -o yaml  # kube-etcd-certs-*`,
          `kubectl --kubeconfig ${shellQuote(adminKubeconfig)} get pdb kube-apiserver-pdb -n ${name} -o yaml`,
          `kubectl --kubeconfig ${shellQuote(adminKubeconfig)} get statefulset kube-etcd kube-apiserver -n ${name} -o yaml`,
          `kubectl --kubeconfig ${shellQuote(adminKubeconfig)} get deployment gke-master-etcd-maintenance -n ${name} -o yaml`,
        ],
    params: {},
  });
  steps.push({
    id: 'write-bundle',
    kind: 'backup.write-bundle',
    title: 'Write manifest.json last and move the bundle into place',
    description:
      'Every file is written into a hidden temporary directory with its size and SHA-256; manifest.json is written last and the directory renamed atomically, so a failed backup leaves nothing that looks like a bundle.',
    commands: [],
    params: {},
  });
  return { kind: 'backup', planVersion: 1, cluster: { name, topology }, includeAdmin, encrypted, steps };
}

/** Pure: an `ssh` command line equivalent to what etcd-dr runs on a node. */
export function sshLine(options: { node: SshNode; jumpHost: SshNode | undefined; command: string }): string {
  const { node, jumpHost } = options;
  return [
    'ssh',
    '-i',
    shellQuote(node.identityFile),
    ...(node.port === 22 ? [] : ['-p', String(node.port)]),
    ...(jumpHost
      ? ['-J', `${jumpHost.user}@${jumpHost.address}${jumpHost.port === 22 ? '' : `:${jumpHost.port}`}`]
      : []),
    `${node.user}@${node.address}`,
    shellQuote(options.command),
  ].join(' ');
}

function snapshotStep(options: {
  id: string;
  kind: 'backup.snapshot' | 'backup.admin-snapshot';
  title: string;
  plan: EtcdPodSnapshotPlan;
  file: string;
  age: string;
}): PlanStep<BackupPlanStepKind> {
  const { plan } = options;
  return {
    id: options.id,
    kind: options.kind,
    title: options.title,
    description: `etcdctl snapshot save into ${plan.temporaryFile} in the pod, streamed out over exec (not kubectl cp) while etcdctl writes it, with its SHA-256 checked against the snapshot's own trailing hash and its size and status reported on stderr (etcd-dr:size=, etcd-dr:status=), resumed from the last byte after a dropped connection (waiting for etcdctl to finish, then tail -c +N), into ${options.file}; the temporary files are removed whatever happens.`,
    commands: [
      plan.checkEtcd.kubectl,
      `${plan.streamSnapshot.kubectl}${options.age} > ${options.file}`,
      plan.cleanup.kubectl,
    ],
    params: { namespace: plan.namespace, pod: plan.pod, container: plan.container, file: options.file },
  };
}

function pkiStep(options: {
  node: SshNode;
  role: 'pki' | 'admin-pki';
  jumpHost: SshNode | undefined;
  age: string;
  suffix: string;
}): PlanStep<BackupPlanStepKind> {
  const { node, role, jumpHost } = options;
  const file = `${bundleFilePath({ role, node: node.name })}${options.suffix}`;
  const tar = `${sudoPrefix} tar -C / -cf - ${nodePkiDirectory.slice(1)}`;
  return {
    id: `${role}:${node.name}`,
    kind: role === 'pki' ? 'backup.pki' : 'backup.admin-pki',
    title: `Archive ${nodePkiDirectory} of ${role === 'pki' ? 'control-plane' : 'admin control-plane'} node ${node.name}`,
    description: `Read with sudo as a tar stream (modes and owners kept, no mode changed on the node) into ${file}${options.age ? ', encrypted while it streams' : ''}${role === 'pki' ? `; the node's ${etcdManifestPath} is saved as objects/etcd-manifest-${node.name}.yaml` : ''}. Runs while the ${role === 'pki' ? '' : 'admin '}snapshot streams.`,
    commands: [
      `${sshLine({ node, jumpHost, command: tar })}${options.age} > ${file}`,
      ...(role === 'pki'
        ? [
            `${sshLine({ node, jumpHost, command: `${sudoPrefix} cat ${etcdManifestPath}` })} > objects/etcd-manifest-${node.name}.yaml`,
          ]
        : []),
    ],
    params: { node: node.name, file },
    parallelGroup: role,
    departsFromRunbook:
      'the runbook runs `sudo chmod -R 0644` on the keys to copy them, which leaves private keys world-readable; etcd-dr reads them with sudo instead and changes no mode',
  };
}
