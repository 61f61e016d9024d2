import {
  type ClusterConfig,
  connectKube,
  detectTopology,
  EtcdDrError,
  type KubeConnection,
} from '@etcd-dr/sdk';
import { VerifyError } from '../verify-error.js';
import {
  type CompareInventoriesOptions,
  compareInventories,
  type InventoryDiffRow,
} from './compare-inventories.js';
import {
  type ControlPlaneLayout,
  controlPlaneLayout,
  etcdProbeCommand,
  etcdProbeSeparator,
} from './control-plane-layout.js';
import type { ControlPlanePod } from './control-plane-pod.js';
import { judgeControlPlanePods } from './judge-control-plane-pods.js';
import { type EtcdMemberProbe, type EtcdMemberState, judgeEtcdMembers } from './judge-etcd-members.js';
import { failed, type NativeCheck, passed } from './native-check.js';
import { parseEtcdEndpointHealth, parseEtcdEndpointStatus } from './parse-etcd-endpoint-output.js';
import type { BundleInventory } from './read-bundle-inventory.js';
import { readLiveInventory } from './read-live-inventory.js';

/** Options of {@link runNativeChecks}. */
export interface RunNativeChecksOptions {
  /** The target, as `loadClusterConfig` returns it (absolute paths). */
  config: ClusterConfig;
  /** Compare the live keys with this bundle's snapshot (see `readBundleInventory`). Default: no comparison. */
  against?: BundleInventory;
  /** Each API call's limit. Default 10 000 ms. */
  requestTimeoutMs?: number;
  /** Each etcdctl exec's limit. Default 30 000 ms. */
  execTimeoutMs?: number;
  /** Largest allowed difference between members' revisions. Default 10. */
  maxRevisionLag?: number;
  signal?: AbortSignal;
}

/** The live inventory compared with a bundle's. */
export interface InventoryComparison {
  bundlePath: string;
  bundleCluster: string;
  bundleRevision: number;
  bundleKeys: number;
  liveKeys: number;
  /** The member the live keys were read from. */
  livePod: string;
  /** Only the rows that differ; empty when every resource and namespace has the same key count. */
  diff: InventoryDiffRow[];
}

/** What the native checks found. */
export interface NativeVerification {
  cluster: { name: string; topology: 'kubeception' | 'controlplane-v2'; ha: boolean };
  /** True when no check failed. */
  healthy: boolean;
  checks: NativeCheck[];
  members: EtcdMemberState[];
  /** Present when a bundle was given and a healthy member could list the live keys. */
  inventory?: InventoryComparison;
  /** Facts that did not fail a check, e.g. a bundle of another cluster, or why no inventory was read. */
  warnings: string[];
}

/**
 * Checks a user cluster without gkectl (so it also works on kubeadm-style clusters): every etcd member
 * healthy (`etcdctl endpoint health/status` by exec in its own pod), members agreeing on the cluster ID and
 * within `maxRevisionLag` revisions, control-plane pods Ready, the user API answering; with `against`, the
 * live key inventory compared with the bundle's per resource and namespace. An unhealthy cluster is a result;
 * only bad input throws. Nothing it returns holds a secret value (keys are counted, values never read).
 * @throws KubeError `KUBECONFIG_NOT_FOUND`/`KUBECONFIG_INVALID`; VerifyError `VERIFY_TOPOLOGY_UNKNOWN`.
 */
export async function runNativeChecks(options: RunNativeChecksOptions): Promise<NativeVerification> {
  const { config } = options;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const admin = await connectKube({ kubeconfigPath: config.adminCluster.kubeconfig, requestTimeoutMs });
  const user = await connectKube({ kubeconfigPath: config.userCluster.kubeconfig, requestTimeoutMs });
  const clusterName = config.userCluster.name;
  const topology = await resolveTopology({ config, admin, user });
  const layout = controlPlaneLayout({ topology, clusterName });
  const api = layout.api === 'admin' ? admin : user;
  const where = `namespace ${layout.namespace} of the ${layout.api} cluster (${api.server})`;
  const warnings: string[] = [];

  const [userApi, listed, expected] = await Promise.all([
    checkUserApi(user),
    api
      .call(`list pods in ${layout.namespace}`, () =>
        api.core.listNamespacedPod({
          namespace: layout.namespace,
          ...(layout.labelSelector ? { labelSelector: layout.labelSelector } : {}),
        }),
      )
      .then((list) => ({ pods: list.items as ControlPlanePod[] }))
      .catch((error: unknown) => ({ error: firstLine(error) })),
    expectedPods({ layout, api, config }),
  ]);

  if ('error' in listed) {
    const reason = `cannot list the control-plane pods in ${where}: ${listed.error}`;
    return {
      cluster: { name: clusterName, topology, ha: expected.etcdMembers > 1 },
      healthy: false,
      checks: [
        failed('etcd-members-healthy', reason),
        failed('etcd-members-agree', reason),
        failed('control-plane-pods-ready', reason),
        userApi,
      ],
      members: [],
      warnings,
    };
  }
  const controlPlanePods = listed.pods.filter((pod) => layout.isControlPlanePod(pod));
  const etcdPods = listed.pods
    .filter((pod) => layout.isEtcdPod(pod))
    .sort((left, right) => (left.metadata?.name ?? '').localeCompare(right.metadata?.name ?? ''));
  const probes = await Promise.all(
    etcdPods.map((pod) =>
      probeMember({
        api,
        layout,
        pod: pod.metadata?.name ?? '',
        timeoutMs: options.execTimeoutMs ?? 30_000,
        signal: options.signal,
      }),
    ),
  );
  const expectedMembers = Math.max(expected.etcdMembers, etcdPods.length);
  const etcd = judgeEtcdMembers({
    probes,
    expectedMembers,
    ...(options.maxRevisionLag === undefined ? {} : { maxRevisionLag: options.maxRevisionLag }),
  });
  const pods = judgeControlPlanePods({ pods: controlPlanePods, expectedNames: expected.names, where });
  const checks = [etcd.healthy, etcd.agree, pods, userApi];

  let inventory: InventoryComparison | undefined;
  if (options.against) {
    const bundle = options.against;
    if (bundle.manifest.cluster.name !== clusterName) {
      warnings.push(
        `bundle ${bundle.bundlePath} is a backup of cluster ${bundle.manifest.cluster.name}, not ${clusterName}`,
      );
    }
    const source = etcd.members.find((member) => member.healthy);
    if (!source) {
      warnings.push('no healthy etcd member to read the live keys from: inventory not compared');
    } else {
      try {
        const live = await readLiveInventory({
          kube: api,
          namespace: layout.namespace,
          pod: source.pod,
          container: layout.etcdContainer,
          certificates: layout.certificates,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const compared: CompareInventoriesOptions = { bundle: bundle.snapshot, live };
        inventory = {
          bundlePath: bundle.bundlePath,
          bundleCluster: bundle.manifest.cluster.name,
          bundleRevision: bundle.snapshot.status.revision,
          bundleKeys: bundle.snapshot.liveKeys,
          liveKeys: live.liveKeys,
          livePod: source.pod,
          diff: compareInventories(compared),
        };
      } catch (error) {
        if (!EtcdDrError.isInstance(error)) throw error;
        warnings.push(`the live keys could not be read from ${source.pod}: ${firstLine(error)}`);
      }
    }
  }
  return {
    cluster: { name: clusterName, topology, ha: expectedMembers > 1 },
    healthy: checks.every((check) => check.outcome !== 'failed'),
    checks,
    members: etcd.members,
    ...(inventory ? { inventory } : {}),
    warnings,
  };
}

async function resolveTopology(options: {
  config: ClusterConfig;
  admin: KubeConnection;
  user: KubeConnection;
}): Promise<'kubeception' | 'controlplane-v2'> {
  const { config, admin, user } = options;
  if (config.userCluster.topology !== 'auto') return config.userCluster.topology;
  const name = config.userCluster.name;
  try {
    return await detectTopology({ userCluster: user, clusterName: name });
  } catch {
    // The user API may be down (that is what verify is for): fall back on what the admin side shows.
    const pods = await admin
      .call(`list pods in ${name}`, () => admin.core.listNamespacedPod({ namespace: name }))
      .catch(() => undefined);
    if (pods?.items.some((pod) => /^kube-etcd-\d+$/.test(pod.metadata?.name ?? ''))) return 'kubeception';
    if (config.userCluster.controlPlaneNodes.length > 0) return 'controlplane-v2';
    throw new VerifyError({
      code: 'VERIFY_TOPOLOGY_UNKNOWN',
      message: `cannot tell the topology of user cluster ${name}: its OnPremUserCluster cannot be read and namespace ${name} of the admin cluster has no kube-etcd-N pod`,
      remedy: 'set userCluster.topology to kubeception or controlplane-v2 in etcd-dr.yaml',
    });
  }
}

async function expectedPods(options: {
  layout: ControlPlaneLayout;
  api: KubeConnection;
  config: ClusterConfig;
}): Promise<{ names: string[]; etcdMembers: number }> {
  const { layout, api, config } = options;
  if (layout.topology === 'controlplane-v2') {
    const nodes = config.userCluster.controlPlaneNodes.map((node) => node.name);
    return {
      names: nodes.flatMap((node) => [`etcd-${node}`, `kube-apiserver-${node}`]),
      etcdMembers: nodes.length,
    };
  }
  const replicas = async (name: string) => {
    const set = await api
      .call(`read statefulset ${name}`, () =>
        api.apps.readNamespacedStatefulSet({ name, namespace: layout.namespace }),
      )
      .catch(() => undefined);
    return set?.spec?.replicas ?? 0;
  };
  const [etcd, apiservers] = await Promise.all([replicas('kube-etcd'), replicas('kube-apiserver')]);
  const ordinals = (count: number) => Array.from({ length: count }, (_, ordinal) => ordinal);
  return {
    names: [
      ...ordinals(etcd).map((ordinal) => `kube-etcd-${ordinal}`),
      ...ordinals(apiservers).map((ordinal) => `kube-apiserver-${ordinal}`),
    ],
    etcdMembers: etcd,
  };
}

async function probeMember(options: {
  api: KubeConnection;
  layout: ControlPlaneLayout;
  pod: string;
  timeoutMs: number;
  signal: AbortSignal | undefined;
}): Promise<EtcdMemberProbe> {
  const { api, layout, pod } = options;
  try {
    const result = await api.exec({
      namespace: layout.namespace,
      pod,
      container: layout.etcdContainer,
      command: etcdProbeCommand(layout.certificates),
      timeoutMs: options.timeoutMs,
      idleTimeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const text = result.stdout.toString('utf8');
    const separator = text.indexOf(etcdProbeSeparator);
    if (separator === -1) {
      return { pod, failure: `the probe printed no readable answer (exit ${result.exitCode})` };
    }
    const health = parseEtcdEndpointHealth({ text: text.slice(0, separator) })[0];
    const status = parseEtcdEndpointStatus({ text: text.slice(separator + etcdProbeSeparator.length) })[0];
    const stderr = result.stderr.trim().split('\n').at(-1);
    if (!health && !status) {
      return { pod, failure: `etcdctl gave no readable answer${stderr ? `: ${stderr}` : ''}` };
    }
    return { pod, ...(health ? { health } : {}), ...(status ? { status } : {}) };
  } catch (error) {
    if (!EtcdDrError.isInstance(error)) throw error;
    // KubeError messages repeat the whole command before the server's answer; keep the answer.
    const message = firstLine(error);
    const answer = message.indexOf(`${api.server}: `);
    const detail = answer === -1 ? message : message.slice(answer + api.server.length + 2);
    return { pod, failure: `cannot exec etcdctl in container ${layout.etcdContainer}: ${detail}` };
  }
}

async function checkUserApi(user: KubeConnection): Promise<NativeCheck> {
  try {
    const namespaces = await user.call('list namespaces', () => user.core.listNamespace());
    return passed('user-api-answers', `${user.server} listed ${namespaces.items.length} namespace(s)`);
  } catch (error) {
    if (!EtcdDrError.isInstance(error)) throw error;
    return failed('user-api-answers', firstLine(error));
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
