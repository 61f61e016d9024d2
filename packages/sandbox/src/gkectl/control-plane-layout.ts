/** How to ask one etcd member about itself from inside its pod. */
export interface EtcdMemberTarget {
  pod: string;
  container: string;
  /** Runs `endpoint health -w json`, prints {@link etcdProbeSeparator}, then `endpoint status -w json`. */
  command: string[];
}

/** Where a user cluster's control plane runs and what it must consist of. */
export interface ControlPlaneLayout {
  topology: 'kubeception' | 'controlplane-v2';
  /** Which API serves the control-plane pods: the admin cluster's (Kubeception) or the user cluster's. */
  api: 'admin' | 'user';
  namespace: string;
  /** Every control-plane pod that must exist and be Ready. */
  expectedPods: string[];
  etcdMembers: EtcdMemberTarget[];
}

/** Printed between the two etcdctl outputs of a member probe. */
export const etcdProbeSeparator = '--- etcd-dr gkectl: endpoint status ---';

/** Options of {@link kubeceptionLayout}. */
export interface KubeceptionLayoutOptions {
  /** The user cluster's name, its namespace in the admin cluster. */
  clusterName: string;
  /** `spec.replicas` of StatefulSet `kube-etcd`. */
  etcdReplicas: number;
  /** `spec.replicas` of StatefulSet `kube-apiserver`. */
  apiserverReplicas: number;
}

/**
 * Kubeception: namespace USER of the admin cluster holds `kube-etcd-N` (container `kube-etcd`, certificates
 * under `/etcd.local.config/certificates`, as the runbook's etcdctl commands use them) and `kube-apiserver-N`.
 * Pure.
 */
export function kubeceptionLayout(options: KubeceptionLayoutOptions): ControlPlaneLayout {
  const ordinals = (count: number) => Array.from({ length: count }, (_, ordinal) => ordinal);
  const certificates = '/etcd.local.config/certificates';
  const command = etcdProbeCommand({
    cacert: `${certificates}/etcdCA.crt`,
    cert: `${certificates}/etcd.crt`,
    key: `${certificates}/etcd.key`,
  });
  return {
    topology: 'kubeception',
    api: 'admin',
    namespace: options.clusterName,
    expectedPods: [
      ...ordinals(options.etcdReplicas).map((ordinal) => `kube-etcd-${ordinal}`),
      ...ordinals(options.apiserverReplicas).map((ordinal) => `kube-apiserver-${ordinal}`),
    ],
    etcdMembers: ordinals(options.etcdReplicas).map((ordinal) => ({
      pod: `kube-etcd-${ordinal}`,
      container: 'kube-etcd',
      command,
    })),
  };
}

/** Options of {@link controlplaneV2Layout}. */
export interface ControlplaneV2LayoutOptions {
  /** The user cluster's control-plane node names. */
  nodeNames: string[];
}

/**
 * Controlplane V2: the user cluster's kube-system holds the static (mirror) pods `etcd-NODE` (container `etcd`,
 * kubeadm's `/etc/kubernetes/pki/etcd` with the healthcheck client certificate) and `kube-apiserver-NODE`.
 * Pure.
 */
export function controlplaneV2Layout(options: ControlplaneV2LayoutOptions): ControlPlaneLayout {
  const certificates = '/etc/kubernetes/pki/etcd';
  const command = etcdProbeCommand({
    cacert: `${certificates}/ca.crt`,
    cert: `${certificates}/healthcheck-client.crt`,
    key: `${certificates}/healthcheck-client.key`,
  });
  return {
    topology: 'controlplane-v2',
    api: 'user',
    namespace: 'kube-system',
    expectedPods: [
      ...options.nodeNames.map((node) => `etcd-${node}`),
      ...options.nodeNames.map((node) => `kube-apiserver-${node}`),
    ],
    etcdMembers: options.nodeNames.map((node) => ({ pod: `etcd-${node}`, container: 'etcd', command })),
  };
}

function etcdProbeCommand(options: { cacert: string; cert: string; key: string }): string[] {
  const etcdctl = [
    'ETCDCTL_API=3 etcdctl',
    '--endpoints=https://127.0.0.1:2379',
    `--cacert=${options.cacert}`,
    `--cert=${options.cert}`,
    `--key=${options.key}`,
    '--dial-timeout=2s',
    '--command-timeout=2s',
  ].join(' ');
  return [
    '/bin/sh',
    '-c',
    `${etcdctl} endpoint health -w json; echo '${etcdProbeSeparator}'; ${etcdctl} endpoint status -w json`,
  ];
}
