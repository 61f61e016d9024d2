import { dirname, join } from 'node:path';
import { type ClusterConfig, loadClusterConfig } from '@etcd-dr/sdk';
import {
  type ControlPlaneLayout,
  controlplaneV2Layout,
  etcdProbeSeparator,
  kubeceptionLayout,
} from './control-plane-layout.js';
import { describePodProblem, type PodForReadiness } from './describe-pod-problem.js';
import type { GkectlCategoryResult, GkectlCheckResult, GkectlDiagnoseResult } from './diagnose-result.js';
import { GkectlError } from './gkectl-error.js';
import { type EtcdMemberProbe, judgeEtcdMembers } from './judge-etcd-members.js';
import { createLabKubeClient, type LabKubeClient } from './lab-kube-client.js';
import { oneLine } from './one-line.js';
import { parseEtcdEndpointHealth, parseEtcdEndpointStatus } from './parse-etcd-endpoint-output.js';

/** Options of {@link diagnoseCluster}. */
export interface DiagnoseClusterOptions {
  /** The admin cluster's kubeconfig; the lab's `etcd-dr.yaml` is looked up in the same folder. */
  kubeconfigPath: string;
  /** The user cluster to diagnose; omit to diagnose the admin cluster. */
  clusterName?: string;
  /** Limit of each API call and exec. Milliseconds. Default 3000 (execs: 8000). */
  requestTimeoutMs?: number;
  /** Largest allowed raft index difference between etcd members. Default 50. */
  maxRaftIndexLag?: number;
}

interface PodList {
  items?: PodForReadiness[];
}

/**
 * Checks the lab for real, as `gkectl diagnose cluster` checks a GDC cluster. Admin cluster: its API answers,
 * its nodes and kube-system pods are Ready. User cluster (`clusterName`, found in `etcd-dr.yaml` next to the
 * admin kubeconfig): both APIs answer, every control-plane pod exists and is Ready (Kubeception: namespace
 * USER of the admin cluster; Controlplane V2: the user cluster's kube-system), every etcd member answers
 * `endpoint health` and `endpoint status` through an exec in its own pod with its own certificates, and the
 * members agree (cluster ID, leader, raft index); the user cluster's nodes and kube-system pods are Ready.
 * Checks run concurrently; a failing call becomes the check's `Reason:`, never an exception.
 * @returns the result, with `fatalError` when the cluster cannot be diagnosed at all (unreadable
 * kubeconfig, unknown user cluster).
 */
export async function diagnoseCluster(options: DiagnoseClusterOptions): Promise<GkectlDiagnoseResult> {
  const timeoutMs = options.requestTimeoutMs ?? 3000;
  const target = options.clusterName === undefined ? 'admin' : 'user';
  const clusterName = options.clusterName ?? 'admin';
  let admin: LabKubeClient;
  try {
    admin = await createLabKubeClient({ kubeconfigPath: options.kubeconfigPath, timeoutMs });
  } catch (error) {
    return { target, clusterName, categories: [], fatalError: messageOf(error) };
  }
  if (options.clusterName === undefined) {
    const [reachability, nodes, pods] = await Promise.all([
      checkReachability({ name: 'Checking API server (reachability)', client: admin }),
      checkNodes({ client: admin }),
      checkPods({ name: 'Checking kube-system pods', client: admin, namespace: 'kube-system' }),
    ]);
    return {
      target,
      clusterName,
      categories: [
        { name: 'Admin Cluster Connectivity', checks: [reachability] },
        { name: 'Admin Cluster', checks: [nodes, pods] },
      ],
    };
  }

  let config: ClusterConfig;
  let user: LabKubeClient;
  const configPath = join(dirname(options.kubeconfigPath), 'etcd-dr.yaml');
  try {
    config = await loadClusterConfig({ path: configPath });
    if (config.userCluster.name !== options.clusterName) {
      throw new GkectlError({
        code: 'GKECTL_CLUSTER_NOT_FOUND',
        message: `user cluster "${options.clusterName}" not found: the lab of ${configPath} has user cluster "${config.userCluster.name}"`,
      });
    }
    user = await createLabKubeClient({ kubeconfigPath: config.userCluster.kubeconfig, timeoutMs });
  } catch (error) {
    return {
      target,
      clusterName,
      categories: [],
      fatalError: `failed to get user cluster "${options.clusterName}": ${messageOf(error)}`,
    };
  }

  const [adminReachability, userReachability, layout, userNodes, userPods] = await Promise.all([
    checkReachability({ name: 'Checking admin cluster API server (reachability)', client: admin }),
    checkReachability({ name: 'Checking user cluster API server (reachability)', client: user }),
    findLayout({ config, admin, user }),
    checkNodes({ client: user }),
    checkPods({ name: 'Checking kube-system pods', client: user, namespace: 'kube-system' }),
  ]);
  let controlPlane: GkectlCheckResult;
  let etcdChecks: GkectlCheckResult[];
  if ('error' in layout) {
    controlPlane = failure('Checking control plane pods', [layout.error]);
    etcdChecks = [
      failure('Checking etcd members (health)', [layout.error]),
      failure('Checking etcd members (agreement)', [layout.error]),
    ];
  } else {
    const client = layout.api === 'admin' ? admin : user;
    const pods = await listPods({ client, namespace: layout.namespace });
    controlPlane = controlPlaneCheck({ layout, pods });
    const probes = await Promise.all(
      layout.etcdMembers.map((member) => probeMember({ client, layout, member, pods })),
    );
    const judgement = judgeEtcdMembers({
      probes,
      ...(options.maxRaftIndexLag === undefined ? {} : { maxRaftIndexLag: options.maxRaftIndexLag }),
    });
    etcdChecks = [judgement.health, judgement.agreement];
  }
  const categories: GkectlCategoryResult[] = [
    { name: 'User Cluster Connectivity', checks: [adminReachability, userReachability] },
    { name: 'User Cluster', checks: [controlPlane, userNodes, userPods] },
    { name: 'User Cluster Etcd', checks: etcdChecks },
  ];
  return { target, clusterName, categories };
}

async function checkReachability(options: {
  name: string;
  client: LabKubeClient;
}): Promise<GkectlCheckResult> {
  try {
    const version = (await options.client.getJson('/version')) as { gitVersion?: unknown };
    if (typeof version.gitVersion !== 'string') {
      return failure(options.name, [`GET /version on ${options.client.server} gave no gitVersion`]);
    }
    return success(options.name);
  } catch (error) {
    return failure(options.name, [messageOf(error)]);
  }
}

async function checkNodes(options: { client: LabKubeClient }): Promise<GkectlCheckResult> {
  const name = 'Checking nodes';
  try {
    const list = (await options.client.getJson('/api/v1/nodes')) as {
      items?: Array<{
        metadata?: { name?: string };
        status?: { conditions?: Array<{ type?: string; status?: string }> };
      }>;
    };
    const items = list.items ?? [];
    if (items.length === 0) return failure(name, [`no nodes on ${options.client.server}`]);
    const notReady = items.filter(
      (node) =>
        !node.status?.conditions?.some(
          (condition) => condition.type === 'Ready' && condition.status === 'True',
        ),
    );
    if (notReady.length === 0) return success(name);
    return failure(
      name,
      [
        `${notReady.length} node(s) not Ready: ${notReady.map((node) => node.metadata?.name ?? '?').join(', ')}.`,
      ],
      notReady.map((node) => `Node [${node.metadata?.name ?? '?'}]: not Ready`),
    );
  } catch (error) {
    return failure(name, [messageOf(error)]);
  }
}

async function checkPods(options: {
  name: string;
  client: LabKubeClient;
  namespace: string;
}): Promise<GkectlCheckResult> {
  const pods = await listPods(options);
  if ('error' in pods) return failure(options.name, [pods.error]);
  const problems = pods.items.flatMap((pod) => {
    const problem = describePodProblem({ pod });
    return problem === undefined ? [] : [{ name: pod.metadata?.name ?? '?', problem }];
  });
  if (problems.length === 0) return success(options.name);
  return failure(
    options.name,
    [
      `${problems.length} pod(s) in ${options.namespace} not Ready: ${problems.map((each) => each.name).join(', ')}.`,
    ],
    problems.map((each) => `Pod [${options.namespace}/${each.name}]: ${each.problem}`),
  );
}

type PodListing = { items: PodForReadiness[] } | { error: string };

async function listPods(options: { client: LabKubeClient; namespace: string }): Promise<PodListing> {
  try {
    const list = (await options.client.getJson(
      `/api/v1/namespaces/${encodeURIComponent(options.namespace)}/pods`,
    )) as PodList;
    return { items: list.items ?? [] };
  } catch (error) {
    return { error: messageOf(error) };
  }
}

async function findLayout(options: {
  config: ClusterConfig;
  admin: LabKubeClient;
  user: LabKubeClient;
}): Promise<ControlPlaneLayout | { error: string }> {
  const { config, admin, user } = options;
  const name = config.userCluster.name;
  const replicasOf = async (statefulSet: string) => {
    const object = (await admin.getJson(
      `/apis/apps/v1/namespaces/${encodeURIComponent(name)}/statefulsets/${statefulSet}`,
    )) as { spec?: { replicas?: number } };
    return object.spec?.replicas ?? 1;
  };
  let topology = config.userCluster.topology;
  try {
    if (topology === 'auto') {
      const cluster = (await user.getJson(
        `/apis/onprem.cluster.gke.io/v1alpha1/namespaces/kube-system/onpremuserclusters/${encodeURIComponent(name)}`,
      )) as { spec?: { enableControlplaneV2?: boolean } };
      topology = cluster.spec?.enableControlplaneV2 === true ? 'controlplane-v2' : 'kubeception';
    }
    if (topology === 'kubeception') {
      const [etcdReplicas, apiserverReplicas] = await Promise.all([
        replicasOf('kube-etcd'),
        replicasOf('kube-apiserver'),
      ]);
      return kubeceptionLayout({ clusterName: name, etcdReplicas, apiserverReplicas });
    }
    let nodeNames = config.userCluster.controlPlaneNodes.map((node) => node.name);
    if (nodeNames.length === 0) {
      const list = (await user.getJson(
        '/api/v1/namespaces/kube-system/pods?labelSelector=component%3Detcd',
      )) as PodList;
      nodeNames = (list.items ?? []).flatMap((pod) => {
        const podName = pod.metadata?.name ?? '';
        return podName.startsWith('etcd-') ? [podName.slice('etcd-'.length)] : [];
      });
      if (nodeNames.length === 0) return { error: `no etcd pods in kube-system on ${user.server}` };
    }
    return controlplaneV2Layout({ nodeNames });
  } catch (error) {
    return { error: `cannot find the control plane of user cluster ${name}: ${messageOf(error)}` };
  }
}

function controlPlaneCheck(options: { layout: ControlPlaneLayout; pods: PodListing }): GkectlCheckResult {
  const name = 'Checking control plane pods';
  const { layout, pods } = options;
  if ('error' in pods) return failure(name, [pods.error]);
  const byName = new Map(pods.items.map((pod) => [pod.metadata?.name ?? '', pod]));
  const problems = layout.expectedPods.flatMap((podName) => {
    const pod = byName.get(podName);
    const problem = pod === undefined ? 'not found' : describePodProblem({ pod });
    return problem === undefined ? [] : [{ podName, problem }];
  });
  if (problems.length === 0) return success(name);
  return failure(
    name,
    [
      `${problems.length} control plane pod(s) unhealthy: ${problems.map((each) => each.podName).join(', ')}.`,
    ],
    problems.map((each) => `Pod [${layout.namespace}/${each.podName}]: ${each.problem}`),
  );
}

async function probeMember(options: {
  client: LabKubeClient;
  layout: ControlPlaneLayout;
  member: ControlPlaneLayout['etcdMembers'][number];
  pods: PodListing;
}): Promise<EtcdMemberProbe> {
  const { client, layout, member, pods } = options;
  const base = { pod: member.pod, namespace: layout.namespace };
  if ('items' in pods) {
    const pod = pods.items.find((each) => each.metadata?.name === member.pod);
    if (pod === undefined) return { ...base, failure: 'pod not found' };
    const running = pod.status?.containerStatuses?.find((each) => each.name === member.container)?.state;
    if (running?.waiting !== undefined || running?.terminated !== undefined) {
      return {
        ...base,
        failure: `container ${member.container} is not running (${describePodProblem({ pod }) ?? 'not running'})`,
      };
    }
  }
  try {
    const result = await client.exec({
      namespace: layout.namespace,
      pod: member.pod,
      container: member.container,
      command: member.command,
    });
    const [healthText = '', statusText = ''] = result.stdout.split(etcdProbeSeparator);
    const health = parseEtcdEndpointHealth({ text: healthText })[0];
    const status = parseEtcdEndpointStatus({ text: statusText })[0];
    const stderr = oneLine(
      result.stderr
        .split('\n')
        .filter((line) => line.startsWith('Error') || line.startsWith('Failed'))
        .join('\n'),
    );
    if (health === undefined) {
      return {
        ...base,
        failure: `etcdctl endpoint health exited ${result.exitCode}${stderr ? `: ${stderr}` : ''}`,
      };
    }
    return { ...base, health, ...(status === undefined ? {} : { status }) };
  } catch (error) {
    return { ...base, failure: messageOf(error) };
  }
}

function success(name: string): GkectlCheckResult {
  return { name, status: 'SUCCESS', reasons: [], unhealthyResources: [] };
}

function failure(name: string, reasons: string[], unhealthyResources: string[] = []): GkectlCheckResult {
  return {
    name,
    status: 'FAILURE',
    reasons: reasons.map(oneLine),
    unhealthyResources: unhealthyResources.map(oneLine),
  };
}

function messageOf(error: unknown): string {
  return oneLine(error instanceof Error ? error.message : String(error));
}
