import type { BundleManifest } from '../../bundle/bundle-manifest.js';
import type { PlanStep } from '../../plan/plan-step.js';
import { RestoreError } from '../restore-error.js';
import type { RestoreTarget } from '../restore-target.js';
import {
  movedAsideName,
  receiveSnapshotScript,
  removeOldDataScript,
  restoreMemberScript,
  undoRestoreMemberScript,
  utilitySnapshotPath,
} from './kubeception-restore-scripts.js';

/** Params of `kubeception.scale`. */
export type ScaleParams = {
  namespace: string;
  workload: 'statefulset' | 'deployment';
  name: string;
  replicas: number;
  /** What `undo` scales back to. */
  previousReplicas: number;
  /** Pods whose names start with this are waited for: gone when scaling to 0, Ready otherwise. */
  podPrefix: string;
  /**
   * When scaling to 0: delete the pods with this grace period first, instead of their own (30 s), so that
   * they stop at once. Default: the pods' own.
   */
  stopGracePeriodSeconds?: number;
};

/** Params of `kubeception.delete-pdb` and `kubeception.create-pdb`. */
export type PdbParams = {
  namespace: string;
  name: string;
  /** The PDB as it can be created again. */
  pdb: Record<string, unknown>;
};

/** Params of `kubeception.restore-member`. */
export type RestoreMemberParams = {
  namespace: string;
  restoreId: string;
  memberName: string;
  utilityPod: string;
  claim: string;
  node?: string;
  secret: string;
  image: string;
  initialCluster: string;
  initialClusterToken: string;
  peerUrl: string;
  /** The snapshot file inside the bundle and how it is stored. */
  snapshot: { path: string; encryption: 'none' | 'age' };
};

/** Params of `kubeception.wait-etcd-healthy`. */
export type WaitEtcdHealthyParams = {
  namespace: string;
  members: string[];
  /** Every member must report at least this revision (the snapshot's). */
  minRevision: number;
  timeoutMs: number;
};

/** Params of `kubeception.wait-control-plane`. */
export type WaitControlPlaneParams = {
  namespace: string;
  /** Pods that must be Ready, e.g. `kube-etcd-0`, `kube-apiserver-0`. */
  pods: string[];
  timeoutMs: number;
};

/** Params of `kubeception.remove-old-data`. */
export type RemoveOldDataParams = {
  namespace: string;
  pod: string;
  restoreId: string;
};

/** Options of {@link planKubeceptionRestore}. */
export interface PlanKubeceptionRestoreOptions {
  manifest: BundleManifest;
  target: RestoreTarget;
  restoreId: string;
  /** How long to wait for members and pods at each waiting step. Default 300 000 ms. */
  waitTimeoutMs?: number;
}

const runbookMemberFlow =
  'The runbook leaves kube-etcd running: its HA procedure restores each member while the others still run old data, and in the lab the surviving member then wins (same cluster and member IDs), so the restore is lost; its non-HA procedure swaps the data under a crash-looping member that may restart between `rm` and `cp`. Scaling kube-etcd to 0 first means no member runs while any data is replaced.';

const etcdStopGraceSeconds = 1;
const etcdStopDeparture = `The members are deleted with a ${etcdStopGraceSeconds}-second grace period before the scale-down: members stopping together make etcd 3.4's leader wait out a leadership transfer to a follower that is stopping too (about 7 s), and their data is moved aside and replaced next anyway (etcd's WAL and bbolt are crash-safe, so the old data stays usable for a rollback).`;

/**
 * Pure: the steps of a Kubeception restore (non-HA and HA alike): save and delete the PDB, scale the API
 * server, the etcd maintenance Deployment and kube-etcd to 0, restore every member's PVC through a utility
 * pod on its node (in parallel), scale kube-etcd back, wait until every member is healthy at the snapshot's
 * revision, scale the rest back, re-create the PDB, wait for the control plane, then drop the old data.
 * @throws RestoreError `RESTORE_OBJECT_NOT_FOUND` (no Kubeception facts, no claim for a member),
 * `RESTORE_NODE_UNREACHABLE` (a member's node is not Ready), `RESTORE_IMAGE_UNKNOWN`.
 */
export function planKubeceptionRestore(options: PlanKubeceptionRestoreOptions): PlanStep[] {
  const { manifest, target, restoreId } = options;
  const facts = target.kubeception;
  if (!facts) {
    throw new RestoreError({
      code: 'RESTORE_OBJECT_NOT_FOUND',
      message: `no Kubeception control plane (StatefulSet kube-etcd) found for cluster ${target.clusterName}`,
      remedy: 'check userCluster.name and the admin kubeconfig in etcd-dr.yaml',
    });
  }
  const image = target.etcdUtilImage;
  if (!image) {
    throw new RestoreError({
      code: 'RESTORE_IMAGE_UNKNOWN',
      message: `the etcd-util image for the utility pods of ${target.clusterName} is unknown`,
      remedy:
        'set etcdUtilImage in etcd-dr.yaml, e.g. gcr.io/gke-on-prem-release/etcd-util:GKE_ON_PREM_VERSION',
    });
  }
  const namespace = facts.namespace;
  const wait = options.waitTimeoutMs ?? 300_000;
  const kubectl = `kubectl --kubeconfig ${target.adminKubeconfig} -n ${namespace}`;
  const snapshotFile = manifest.files.find((file) => file.role === 'snapshot')!;
  const members = target.members;
  const initialCluster = members.map((member) => `${member.name}=${member.peerUrl}`).join(',');
  const steps: PlanStep[] = [];

  const scale = (options: {
    id: string;
    workload: ScaleParams['workload'];
    name: string;
    replicas: number;
    previousReplicas: number;
    podPrefix: string;
    description: string;
    departsFromRunbook?: string;
    parallelGroup?: string;
    stopPods?: { names: string[]; gracePeriodSeconds: number };
  }): PlanStep<string, ScaleParams> => ({
    id: options.id,
    kind: 'kubeception.scale',
    title: `Scale ${options.workload === 'statefulset' ? 'StatefulSet' : 'Deployment'} ${options.name} to ${options.replicas}`,
    description: options.description,
    commands: [
      ...(options.stopPods
        ? [
            `${kubectl} delete pod ${options.stopPods.names.join(' ')} --grace-period=${options.stopPods.gracePeriodSeconds} --wait=false`,
          ]
        : []),
      `${kubectl} scale ${options.workload} ${options.name} --replicas=${options.replicas}`,
    ],
    undo: {
      description: `Scale ${options.name} back to ${options.previousReplicas}`,
      commands: [
        `${kubectl} scale ${options.workload} ${options.name} --replicas=${options.previousReplicas}`,
      ],
    },
    params: {
      namespace,
      workload: options.workload,
      name: options.name,
      replicas: options.replicas,
      previousReplicas: options.previousReplicas,
      podPrefix: options.podPrefix,
      ...(options.stopPods ? { stopGracePeriodSeconds: options.stopPods.gracePeriodSeconds } : {}),
    },
    ...(options.departsFromRunbook ? { departsFromRunbook: options.departsFromRunbook } : {}),
    ...(options.parallelGroup ? { parallelGroup: options.parallelGroup } : {}),
  });

  const pdb = facts.apiserverPdb;
  if (pdb) {
    steps.push({
      id: 'delete-pdb:kube-apiserver-pdb',
      kind: 'kubeception.delete-pdb',
      title: 'Save PodDisruptionBudget kube-apiserver-pdb and delete it',
      description:
        'The PDB would block taking the API server down. Its definition is kept in the plan and the journal so it can be created again.',
      commands: [
        `${kubectl} get pdb kube-apiserver-pdb -o yaml > kube-apiserver-pdb.yaml`,
        `${kubectl} delete pdb kube-apiserver-pdb`,
      ],
      undo: {
        description: 'Create the saved PDB again',
        commands: [`${kubectl} apply -f kube-apiserver-pdb.yaml`],
      },
      params: { namespace, name: 'kube-apiserver-pdb', pdb } satisfies PdbParams,
    });
  }
  const apiserverReplicas = facts.replicas.kubeApiserver;
  if (apiserverReplicas !== null) {
    steps.push(
      scale({
        id: 'scale-down:kube-apiserver',
        parallelGroup: 'scale-down',
        workload: 'statefulset',
        name: 'kube-apiserver',
        replicas: 0,
        previousReplicas: apiserverReplicas,
        podPrefix: 'kube-apiserver-',
        description: "Stop the user cluster's API servers so nothing writes to etcd while it is replaced.",
        ...(target.members.length === 1
          ? { departsFromRunbook: 'The non-HA runbook leaves the API server running against a broken etcd.' }
          : {}),
      }),
    );
  }
  const maintenanceReplicas = facts.replicas.etcdMaintenance;
  if (maintenanceReplicas !== null) {
    steps.push(
      scale({
        id: 'scale-down:gke-master-etcd-maintenance',
        parallelGroup: 'scale-down',
        workload: 'deployment',
        name: 'gke-master-etcd-maintenance',
        replicas: 0,
        previousReplicas: maintenanceReplicas,
        podPrefix: 'gke-master-etcd-maintenance-',
        description: 'Stop the etcd maintenance job (defragmentation, compaction) during the restore.',
      }),
    );
  }
  steps.push(
    scale({
      id: 'scale-down:kube-etcd',
      workload: 'statefulset',
      name: 'kube-etcd',
      replicas: 0,
      previousReplicas: facts.replicas.kubeEtcd,
      podPrefix: 'kube-etcd-',
      stopPods: { names: members.map((member) => member.name), gracePeriodSeconds: etcdStopGraceSeconds },
      description:
        'Stop every etcd member, so that no member runs old data while the others are restored, and wait until their pods are gone.',
      departsFromRunbook: `${runbookMemberFlow} ${etcdStopDeparture}`,
    }),
  );

  for (const member of members) {
    const ordinal = /-(\d+)$/.exec(member.name)?.[1];
    const claim = `data-${member.name}`;
    if (!facts.claims.includes(claim)) {
      throw new RestoreError({
        code: 'RESTORE_OBJECT_NOT_FOUND',
        object: `persistentvolumeclaim ${namespace}/${claim}`,
        message: `PVC ${claim} of member ${member.name} does not exist in namespace ${namespace}`,
        remedy: 'a Kubeception restore writes into the members’ PVCs; check the StatefulSet kube-etcd',
      });
    }
    const utilityPod = `etcd-utility-${ordinal ?? member.name}`;
    const node = facts.pods.find((pod) => pod.name === member.name)?.node ?? member.node;
    const nodeState = node ? facts.nodes?.find((entry) => entry.name === node) : undefined;
    if (node && facts.nodes && !nodeState?.ready) {
      throw new RestoreError({
        code: 'RESTORE_NODE_UNREACHABLE',
        object: `node ${node}`,
        message: `node ${node}, which holds PVC ${claim} of member ${member.name}, is ${nodeState ? 'not Ready' : 'not in the admin cluster'}`,
        remedy: `bring node ${node} back (kubectl get node ${node}); the member's data can only be restored there`,
      });
    }
    const params: RestoreMemberParams = {
      namespace,
      restoreId,
      memberName: member.name,
      utilityPod,
      claim,
      ...(node ? { node } : {}),
      secret: facts.certsSecret,
      image,
      initialCluster,
      initialClusterToken: facts.initialClusterToken,
      peerUrl: member.peerUrl,
      snapshot: {
        path: snapshotFile.path,
        encryption: snapshotFile.encryption,
      },
    };
    const script = restoreMemberScript(params);
    steps.push({
      id: `restore-member:${member.name}`,
      kind: 'kubeception.restore-member',
      title: `Restore member ${member.name} into PVC ${claim}${node ? ` on node ${node}` : ''}`,
      description: `Run utility pod ${utilityPod} (${image}) with PVC ${claim}, stream the snapshot into it${snapshotFile.encryption === 'age' ? ' (decrypted on the way, never written to local disk)' : ''}, restore it as member ${member.name} (--initial-cluster ${initialCluster}, token ${facts.initialClusterToken}), move the old data aside to ${movedAsideName(restoreId)} and put the restored member in its place, then delete the utility pod.`,
      commands: [
        `${kubectl} apply -f ${utilityPod}.yaml   # image ${image}, PVC ${claim}, Secret ${facts.certsSecret}${node ? `, node ${node}` : ''}`,
        `${kubectl} wait --for=condition=Ready pod/${utilityPod}`,
        `${kubectl} exec -i ${utilityPod} -c etcd-utility -- sh -ec ${JSON.stringify(receiveSnapshotScript({ restoreId }))} < snapshot.db`,
        `${kubectl} exec ${utilityPod} -c etcd-utility -- sh -ec '${script.replaceAll("'", `'\\''`)}'`,
        `${kubectl} delete pod ${utilityPod}`,
      ],
      undo: {
        description: `Put ${member.name}'s old data back from ${movedAsideName(restoreId)} (through a utility pod) and delete the utility pod`,
        commands: [
          `${kubectl} exec ${utilityPod} -c etcd-utility -- sh -ec '${undoRestoreMemberScript({ restoreId }).replaceAll("'", `'\\''`)}'`,
          `${kubectl} delete pod ${utilityPod}`,
        ],
      },
      params,
      parallelGroup: 'restore-members',
      departsFromRunbook: `The runbook deletes the old data (rm -r var/lib/etcd/*) before copying the restored member in; etcd-dr moves it aside to ${movedAsideName(restoreId)} and removes it only once the restored cluster is healthy. It restores straight into the PVC (one rename) instead of cp -r, and keeps the snapshot in the pod's /tmp (${utilitySnapshotPath(restoreId)}). It restores with --skip-hash-check: the snapshot's SHA-256 was checked when it was taken and the bundle's in pre-flight, and the copy in the pod is checked by size; etcdctl would hash it again in every member's pod at once.`,
    });
  }

  steps.push(
    scale({
      id: 'scale-up:kube-etcd',
      workload: 'statefulset',
      name: 'kube-etcd',
      replicas: facts.replicas.kubeEtcd,
      previousReplicas: 0,
      podPrefix: 'kube-etcd-',
      description:
        "Start the restored members again (the runbook's `rollout restart statefulset kube-etcd`, as kube-etcd is at 0 here).",
      departsFromRunbook: runbookMemberFlow,
    }),
  );
  steps.push({
    id: 'wait-etcd-healthy',
    kind: 'kubeception.wait-etcd-healthy',
    title: `Wait until ${members.map((member) => member.name).join(', ')} are healthy at revision ${manifest.snapshot.revision} or later`,
    description:
      'Each member must answer `etcdctl endpoint health` and `endpoint status` in its own pod with its own certificates, the members must agree on one cluster ID and a leader, and report at least the snapshot’s revision.',
    commands: members.map(
      (member) =>
        `${kubectl} exec ${member.name} -c kube-etcd -- sh -ec 'ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etcd.local.config/certificates/etcdCA.crt --cert=/etcd.local.config/certificates/etcd.crt --key=/etcd.local.config/certificates/etcd.key endpoint status -w json'`,
    ),
    params: {
      namespace,
      members: members.map((member) => member.name),
      minRevision: manifest.snapshot.revision,
      timeoutMs: wait,
    } satisfies WaitEtcdHealthyParams,
  });
  if (apiserverReplicas !== null) {
    steps.push(
      scale({
        id: 'scale-up:kube-apiserver',
        parallelGroup: 'scale-up',
        workload: 'statefulset',
        name: 'kube-apiserver',
        replicas: apiserverReplicas,
        previousReplicas: 0,
        podPrefix: 'kube-apiserver-',
        description: "Start the user cluster's API servers again.",
      }),
    );
  }
  if (maintenanceReplicas !== null) {
    steps.push(
      scale({
        id: 'scale-up:gke-master-etcd-maintenance',
        parallelGroup: 'scale-up',
        workload: 'deployment',
        name: 'gke-master-etcd-maintenance',
        replicas: maintenanceReplicas,
        previousReplicas: 0,
        podPrefix: 'gke-master-etcd-maintenance-',
        description: 'Start the etcd maintenance Deployment again.',
      }),
    );
  }
  if (pdb) {
    steps.push({
      id: 'create-pdb:kube-apiserver-pdb',
      kind: 'kubeception.create-pdb',
      title: 'Create PodDisruptionBudget kube-apiserver-pdb again',
      description: 'Re-create the PDB saved before the restore.',
      commands: [`${kubectl} apply -f kube-apiserver-pdb.yaml`],
      undo: { description: 'Delete it again', commands: [`${kubectl} delete pdb kube-apiserver-pdb`] },
      params: { namespace, name: 'kube-apiserver-pdb', pdb } satisfies PdbParams,
    });
  }
  const controlPlanePods = [
    ...members.map((member) => member.name),
    ...Array.from({ length: apiserverReplicas ?? 0 }, (_, index) => `kube-apiserver-${index}`),
  ];
  steps.push({
    id: 'wait-control-plane',
    kind: 'kubeception.wait-control-plane',
    title: "Wait for the control-plane pods to be Ready and the user cluster's API to answer",
    description: `Pods ${controlPlanePods.join(', ')} Ready in ${namespace} of the admin cluster, and the user cluster's API answering a list of namespaces.`,
    commands: [
      `${kubectl} wait --for=condition=Ready ${controlPlanePods.map((pod) => `pod/${pod}`).join(' ')}`,
      `kubectl --kubeconfig ${target.userKubeconfig} get namespaces`,
    ],
    params: { namespace, pods: controlPlanePods, timeoutMs: wait } satisfies WaitControlPlaneParams,
  });
  for (const member of members) {
    steps.push({
      id: `remove-old-data:${member.name}`,
      kind: 'kubeception.remove-old-data',
      title: `Remove ${member.name}'s old data (${movedAsideName(restoreId)})`,
      description:
        'The restored cluster is healthy: the data moved aside is no longer needed. A failure here is reported as a warning, not rolled back.',
      commands: [
        `${kubectl} exec ${member.name} -c kube-etcd -- sh -ec '${removeOldDataScript({ restoreId })}'`,
      ],
      params: { namespace, pod: member.name, restoreId } satisfies RemoveOldDataParams,
      parallelGroup: 'remove-old-data',
    });
  }
  return steps;
}
