import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { kubeceptionMembers } from '../backup/kubeception-members.js';
import { isPodReady, kubeEtcdPods } from '../backup/pick-etcd-pod.js';
import type { ClusterConfig } from '../cluster/cluster-config.js';
import { readKubeceptionObjects, unlessNotFound } from '../cluster/read-kubeception-objects.js';
import { connectKube, type KubeConnection } from '../transport/kube/connect-kube.js';
import type { SshConnection } from '../transport/ssh/ssh-connection.js';
import { connectConfigNode } from './connect-config-node.js';
import { gatherControlplaneV2Facts } from './controlplane-v2/gather-controlplane-v2-facts.js';
import { type EtcdManifestFacts, parseEtcdManifest } from './controlplane-v2/parse-etcd-manifest.js';
import { RestoreError } from './restore-error.js';
import type { KubeceptionTargetFacts, RestoreTarget } from './restore-target.js';

/** Options of {@link gatherRestoreTarget}. */
export interface GatherRestoreTargetOptions {
  /** The target, as `loadClusterConfig` returns it. */
  config: ClusterConfig;
  /**
   * Objects saved in the bundle (`objects/replicas.json`, `objects/kube-apiserver-pdb.json`), used when the
   * live cluster has lost them (replicas already 0, PDB already deleted). Default none.
   */
  saved?: { replicas?: Record<string, number | null>; apiserverPdb?: Record<string, unknown> };
  /** Host keys the backup recorded (the bundle manifest's `hostKeys`), checked where the config pins none. */
  recordedHostKeys?: Record<string, string>;
  /** Connections to reuse. Default: opened from the config's kubeconfigs. */
  adminKube?: KubeConnection;
  userKube?: KubeConnection;
}

/**
 * Reads the live facts a restore is planned from, changing nothing: the topology, the etcd members and
 * their pods and nodes, the etcd certificates Secret, the PVCs, the replica counts to scale back to, the
 * PDB, the etcd version and the etcd-util image. Only the admin cluster's API must answer; the user
 * cluster's API usually does not (its etcd is why we restore) and is reported, not required.
 * @throws KubeError when the admin API cannot be reached (`KUBE_UNREACHABLE`, `KUBE_UNAUTHORIZED`, ...),
 * RestoreError `RESTORE_OBJECT_NOT_FOUND` (no kube-etcd StatefulSet, no certificates Secret),
 * `RESTORE_TOPOLOGY_UNSUPPORTED` when the topology cannot be told.
 */
export async function gatherRestoreTarget(options: GatherRestoreTargetOptions): Promise<RestoreTarget> {
  const { config } = options;
  const namespace = config.userCluster.name;
  const admin = options.adminKube ?? (await connectKube({ kubeconfigPath: config.adminCluster.kubeconfig }));
  const user =
    options.userKube ??
    (await connectKube({ kubeconfigPath: config.userCluster.kubeconfig, requestTimeoutMs: 5_000 }));
  const userApiReachable = await user
    .call('list namespaces', () => user.core.listNamespace({ limit: 1 }))
    .then(
      () => true,
      () => false,
    );
  const etcdSet = await unlessNotFound(
    admin.call(`get statefulset ${namespace}/kube-etcd`, () =>
      admin.apps.readNamespacedStatefulSet({ name: 'kube-etcd', namespace }),
    ),
  );
  const topology =
    config.userCluster.topology !== 'auto'
      ? config.userCluster.topology
      : etcdSet
        ? 'kubeception'
        : config.userCluster.controlPlaneNodes.length > 0
          ? 'controlplane-v2'
          : undefined;
  const base = {
    clusterName: namespace,
    adminKubeconfig: config.adminCluster.kubeconfig,
    userKubeconfig: config.userCluster.kubeconfig,
    userApiReachable,
  };
  if (topology === undefined) {
    throw new RestoreError({
      code: 'RESTORE_TOPOLOGY_UNSUPPORTED',
      object: `cluster ${namespace}`,
      message: `cannot tell the topology of ${namespace}: no StatefulSet kube-etcd in namespace ${namespace} of the admin cluster and no controlPlaneNodes in the config`,
      remedy: 'check userCluster.name in etcd-dr.yaml, or set userCluster.topology',
    });
  }
  if (topology === 'controlplane-v2') {
    const connections = new Map<string, Promise<SshConnection>>();
    const ssh = (nodeName: string) => {
      let connection = connections.get(nodeName);
      if (!connection) {
        connection = connectConfigNode({
          config,
          nodeName,
          ...(options.recordedHostKeys ? { recordedHostKeys: options.recordedHostKeys } : {}),
        });
        connections.set(nodeName, connection);
      }
      return connection;
    };
    try {
      const facts = await gatherControlplaneV2Facts({ config, ssh });
      return {
        ...base,
        topology,
        members: facts.nodes.map((node) => ({
          name: node.name,
          peerUrl: manifestOf(node.etcdManifest?.text)?.peerUrl ?? `https://${node.address}:2380`,
          node: node.name,
        })),
        ...etcdVersionOf(manifestOf(facts.nodes[0]?.etcdManifest?.text)?.image),
        controlplaneV2: facts,
        ...(config.etcdUtilImage
          ? { etcdUtilImage: config.etcdUtilImage, etcdUtilImageSource: 'config' as const }
          : {}),
      };
    } finally {
      await Promise.all(
        [...connections.values()].map((connection) =>
          connection.then(
            (open) => open.close(),
            () => undefined,
          ),
        ),
      );
    }
  }
  if (!etcdSet) {
    throw new RestoreError({
      code: 'RESTORE_OBJECT_NOT_FOUND',
      object: `statefulset ${namespace}/kube-etcd`,
      message: `StatefulSet kube-etcd is missing from namespace ${namespace} of the admin cluster`,
      remedy: 'check userCluster.name and adminCluster.kubeconfig in etcd-dr.yaml',
    });
  }
  const [{ apiserverSet, maintenance, apiserverPdb: pdb, secrets }, pods, claims, nodes] = await Promise.all([
    readKubeceptionObjects({ admin, namespace }),
    admin.call(`list pods in ${namespace}`, () => admin.core.listNamespacedPod({ namespace })),
    admin.call(`list persistentvolumeclaims in ${namespace}`, () =>
      admin.core.listNamespacedPersistentVolumeClaim({ namespace }),
    ),
    admin.call('list nodes', () => admin.core.listNode()),
  ]);
  const secret = secrets.items.find((item) => item.metadata?.name?.startsWith('kube-etcd-certs'));
  if (!secret?.metadata?.name) {
    throw new RestoreError({
      code: 'RESTORE_OBJECT_NOT_FOUND',
      object: `secret ${namespace}/kube-etcd-certs-*`,
      message: `no Secret kube-etcd-certs-* in namespace ${namespace} of the admin cluster; utility pods need it`,
      remedy: 'create it again from the bundle (objects/kube-etcd-certs.json) with kubectl create -f',
    });
  }
  const members = kubeceptionMembers({ statefulSet: withReplicas(etcdSet, options.saved), pods: pods.items });
  const saved = options.saved?.replicas ?? {};
  const live = (value: number | undefined | null, key: string): number | null => {
    if (value === undefined || value === null) return null;
    return value > 0 ? value : (saved[key] ?? value);
  };
  const maintenanceImage = maintenance?.spec?.template.spec?.containers.find((container) =>
    /etcd-util/.test(container.image ?? ''),
  )?.image;
  const facts: KubeceptionTargetFacts = {
    namespace,
    initialClusterToken: initialClusterToken(etcdSet),
    replicas: {
      kubeEtcd: members.length,
      kubeApiserver: live(apiserverSet?.spec?.replicas, 'statefulset/kube-apiserver'),
      etcdMaintenance: live(maintenance?.spec?.replicas, 'deployment/gke-master-etcd-maintenance'),
    },
    ...(pdb
      ? { apiserverPdb: forRecreation(pdb) }
      : options.saved?.apiserverPdb
        ? { apiserverPdb: options.saved.apiserverPdb }
        : {}),
    certsSecret: secret.metadata.name,
    pods: kubeEtcdPods(pods.items).map((pod: V1Pod) => ({
      name: pod.metadata?.name ?? '',
      ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
      phase: pod.status?.phase ?? 'Unknown',
      ready: isPodReady(pod),
    })),
    claims: claims.items.flatMap((claim) => (claim.metadata?.name ? [claim.metadata.name] : [])),
    nodes: nodes.items.map((node) => ({
      name: node.metadata?.name ?? '',
      ready:
        node.status?.conditions?.some(
          (condition) => condition.type === 'Ready' && condition.status === 'True',
        ) ?? false,
    })),
  };
  const etcdImage = etcdSet.spec?.template.spec?.containers.find(
    (container) => container.name === 'kube-etcd',
  )?.image;
  const etcdVersion = /:v?(\d+\.\d+\.\d+)/.exec(etcdImage ?? '')?.[1];
  const image = config.etcdUtilImage ?? maintenanceImage;
  return {
    ...base,
    topology,
    members,
    ...(etcdVersion ? { etcdVersion } : {}),
    ...(image
      ? {
          etcdUtilImage: image,
          etcdUtilImageSource: config.etcdUtilImage ? 'config' : 'gke-master-etcd-maintenance',
        }
      : {}),
    kubeception: facts,
  };
}

/** A StatefulSet scaled to 0 (an interrupted manual restore) still has the bundle's member count. */
function withReplicas(statefulSet: V1StatefulSet, saved: GatherRestoreTargetOptions['saved']): V1StatefulSet {
  const replicas = statefulSet.spec?.replicas ?? 1;
  const fallback = saved?.replicas?.['statefulset/kube-etcd'];
  if (replicas > 0 || !fallback || !statefulSet.spec) return statefulSet;
  return { ...statefulSet, spec: { ...statefulSet.spec, replicas: fallback } };
}

function initialClusterToken(statefulSet: V1StatefulSet): string {
  const container = statefulSet.spec?.template.spec?.containers.find((entry) => entry.name === 'kube-etcd');
  const words = [...(container?.command ?? []), ...(container?.args ?? [])].join(' ');
  return /--initial-cluster-token[= ]"?([^\s"]+)/.exec(words)?.[1] ?? 'etcd-cluster-1';
}

function forRecreation(object: object): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(object)) as Record<string, unknown> & {
    metadata?: Record<string, unknown>;
  };
  for (const field of ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation']) {
    delete plain.metadata?.[field];
  }
  delete plain.status;
  return plain;
}

/** The etcd manifest's facts, or undefined when it is absent or unreadable (the planner then says why). */
function manifestOf(text: string | undefined): EtcdManifestFacts | undefined {
  if (text === undefined) return undefined;
  try {
    return parseEtcdManifest({ text });
  } catch {
    return undefined;
  }
}

function etcdVersionOf(image: string | undefined): { etcdVersion?: string } {
  const version = /:v?(\d+\.\d+\.\d+)/.exec(image ?? '')?.[1];
  return version ? { etcdVersion: version } : {};
}
