import type { V1Pod } from '@kubernetes/client-node';
import type { BundleMember } from '../bundle/bundle-manifest.js';
import { BackupError } from './backup-error.js';
import { isPodReady } from './pick-etcd-pod.js';

/** The label selector of etcd static pods (kubeadm, Controlplane V2, admin clusters). */
export const etcdPodSelector = 'component=etcd,tier=control-plane';

/** Options of {@link checkControlplaneV2EtcdPods}. */
export interface CheckControlplaneV2EtcdPodsOptions {
  /** The pods listed with {@link etcdPodSelector} in the user cluster's kube-system. */
  pods: V1Pod[];
  /** Control-plane node names from the cluster config; each must run a member. */
  nodes: string[];
  /** For messages, e.g. `user cluster user-cluster-1`. */
  cluster: string;
}

/**
 * Pure: the `etcd-NODE` pods of a Controlplane V2 user cluster, in the order of `nodes`, after checking what
 * the runbook requires before a backup: every member healthy (Ready).
 * @throws BackupError `BACKUP_POD_NOT_FOUND` when there is no etcd pod or a configured node has none,
 * `BACKUP_ETCD_UNHEALTHY` naming every member that is not Ready and its state.
 */
export function checkControlplaneV2EtcdPods(options: CheckControlplaneV2EtcdPodsOptions): V1Pod[] {
  const { pods, cluster } = options;
  const nodeOf = (pod: V1Pod) => pod.spec?.nodeName ?? pod.metadata?.name?.replace(/^etcd-/, '');
  if (pods.length === 0) {
    throw new BackupError({
      code: 'BACKUP_POD_NOT_FOUND',
      step: 'find-etcd',
      object: `pods kube-system/etcd-* (${etcdPodSelector})`,
      message: `no etcd pod labelled ${etcdPodSelector} in kube-system of ${cluster}`,
      remedy:
        'check userCluster.kubeconfig in etcd-dr.yaml (it must be the user cluster) and that the cluster is Controlplane V2',
    });
  }
  const missing = options.nodes.filter((node) => !pods.some((pod) => nodeOf(pod) === node));
  if (missing.length > 0) {
    throw new BackupError({
      code: 'BACKUP_POD_NOT_FOUND',
      step: 'find-etcd',
      object: missing.map((node) => `pod kube-system/etcd-${node}`).join(', '),
      message: `no etcd pod on control-plane node${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${cluster} (found ${pods.map((pod) => pod.metadata?.name).join(', ')})`,
      remedy:
        'check userCluster.controlPlaneNodes in etcd-dr.yaml against `kubectl get pods -n kube-system -l component=etcd,tier=control-plane -o wide`',
    });
  }
  const ordered = [...pods].sort(
    (left, right) => rank(options.nodes, nodeOf(left)) - rank(options.nodes, nodeOf(right)),
  );
  const unhealthy = ordered.filter((pod) => !isPodReady(pod));
  if (unhealthy.length > 0) {
    const states = unhealthy.map((pod) => `${pod.metadata?.name} ${podState(pod)}`).join(', ');
    throw new BackupError({
      code: 'BACKUP_ETCD_UNHEALTHY',
      step: 'find-etcd',
      object: unhealthy.map((pod) => `pod kube-system/${pod.metadata?.name}`).join(', '),
      message: `etcd member${unhealthy.length > 1 ? 's' : ''} ${states} of ${cluster} not healthy; a Controlplane V2 backup needs every member healthy`,
      remedy:
        'repair the member (kubectl logs, the node) and run the backup again; if its data is lost, restore from an earlier bundle',
    });
  }
  return ordered;
}

function rank(nodes: string[], node: string | undefined): number {
  const index = node === undefined ? -1 : nodes.indexOf(node);
  return index === -1 ? Number.MAX_SAFE_INTEGER : index;
}

function podState(pod: V1Pod): string {
  const waiting = pod.status?.containerStatuses?.find((container) => container.state?.waiting)?.state?.waiting
    ?.reason;
  return waiting ?? (pod.status?.phase === 'Running' ? 'not Ready' : (pod.status?.phase ?? 'Unknown'));
}

/**
 * Pure: the etcd member a static etcd pod runs, from its command line (`--name`,
 * `--initial-advertise-peer-urls`, `--advertise-client-urls`), on Controlplane V2 named after its node.
 * @returns undefined when the command spells no `--name` or peer URL.
 */
export function etcdPodMember(pod: V1Pod): BundleMember | undefined {
  const container = pod.spec?.containers.find((entry) => entry.name === 'etcd') ?? pod.spec?.containers[0];
  return etcdMemberOfCommand({
    words: [...(container?.command ?? []), ...(container?.args ?? [])],
    ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
  });
}

/**
 * Pure: the member an etcd command line describes (from a pod spec or a static pod manifest's command).
 * Only the first of comma-separated URLs is kept.
 */
export function etcdMemberOfCommand(options: { words: string[]; node?: string }): BundleMember | undefined {
  const flag = (name: string) => {
    for (const [index, word] of options.words.entries()) {
      if (word.startsWith(`--${name}=`)) return word.slice(name.length + 3);
      if (word === `--${name}`) return options.words[index + 1];
    }
    return undefined;
  };
  const name = flag('name');
  const peerUrl = flag('initial-advertise-peer-urls')?.split(',')[0];
  if (!name || !peerUrl) return undefined;
  const clientUrl = flag('advertise-client-urls')?.split(',')[0];
  return {
    name,
    peerUrl,
    ...(clientUrl ? { clientUrl } : {}),
    ...(options.node ? { node: options.node } : {}),
  };
}
