import type { ControlPlanePod } from './control-plane-pod.js';

/** The client certificates etcdctl uses inside an etcd container. */
export interface EtcdCertificates {
  cacert: string;
  cert: string;
  key: string;
}

/** Where a user cluster's control plane runs and how to reach its etcd members. */
export interface ControlPlaneLayout {
  topology: 'kubeception' | 'controlplane-v2';
  /** Which cluster's API serves the control-plane pods: the admin cluster (Kubeception) or the user cluster. */
  api: 'admin' | 'user';
  namespace: string;
  /** Label selector for listing the control-plane pods; undefined lists the whole namespace. */
  labelSelector: string | undefined;
  etcdContainer: string;
  certificates: EtcdCertificates;
  /** True for an etcd member pod. */
  isEtcdPod(pod: ControlPlanePod): boolean;
  /** True for a pod that must be Ready for the control plane to be whole. */
  isControlPlanePod(pod: ControlPlanePod): boolean;
}

const kubeEtcd = /^kube-etcd-\d+$/;
const kubeApiserver = /^kube-apiserver-\d+$/;

/**
 * Pure. Kubeception: namespace USER of the admin cluster, pods `kube-etcd-N` (container `kube-etcd`,
 * certificates under `/etcd.local.config/certificates`, as the runbook's etcdctl commands) and
 * `kube-apiserver-N`. Controlplane V2 (and kubeadm-style clusters): the user cluster's `kube-system`, static
 * pods labelled `tier=control-plane`, etcd ones `component=etcd` (container `etcd`, `/etc/kubernetes/pki/etcd`
 * with the server certificate, as the runbook's backup).
 */
export function controlPlaneLayout(options: {
  topology: 'kubeception' | 'controlplane-v2';
  clusterName: string;
}): ControlPlaneLayout {
  const name = (pod: ControlPlanePod) => pod.metadata?.name ?? '';
  if (options.topology === 'kubeception') {
    const certificates = '/etcd.local.config/certificates';
    return {
      topology: 'kubeception',
      api: 'admin',
      namespace: options.clusterName,
      labelSelector: undefined,
      etcdContainer: 'kube-etcd',
      certificates: {
        cacert: `${certificates}/etcdCA.crt`,
        cert: `${certificates}/etcd.crt`,
        key: `${certificates}/etcd.key`,
      },
      isEtcdPod: (pod) => kubeEtcd.test(name(pod)),
      isControlPlanePod: (pod) => kubeEtcd.test(name(pod)) || kubeApiserver.test(name(pod)),
    };
  }
  const certificates = '/etc/kubernetes/pki/etcd';
  return {
    topology: 'controlplane-v2',
    api: 'user',
    namespace: 'kube-system',
    labelSelector: 'tier=control-plane',
    etcdContainer: 'etcd',
    certificates: {
      cacert: `${certificates}/ca.crt`,
      cert: `${certificates}/server.crt`,
      key: `${certificates}/server.key`,
    },
    isEtcdPod: (pod) => pod.metadata?.labels?.component === 'etcd',
    isControlPlanePod: (pod) => pod.metadata?.labels?.tier === 'control-plane',
  };
}

/** Printed between the two etcdctl outputs of a member probe. */
export const etcdProbeSeparator = '--- etcd-dr verify: endpoint status ---';

function etcdctl(certificates: EtcdCertificates): string {
  return [
    'ETCDCTL_API=3 etcdctl',
    '--endpoints=https://127.0.0.1:2379',
    `--cacert=${certificates.cacert}`,
    `--cert=${certificates.cert}`,
    `--key=${certificates.key}`,
    '--dial-timeout=3s',
    '--command-timeout=10s',
  ].join(' ');
}

/** Pure: the command that asks a member about itself: `endpoint health`, the separator, `endpoint status`. */
export function etcdProbeCommand(certificates: EtcdCertificates): string[] {
  const client = etcdctl(certificates);
  return [
    '/bin/sh',
    '-c',
    `${client} endpoint health -w json; echo '${etcdProbeSeparator}'; ${client} endpoint status -w json`,
  ];
}

/**
 * Pure: the command that prints every key (names only, no values) of the store, as
 * `etcdctl get "" --prefix --keys-only` prints them: one key a line, blank lines between.
 */
export function listKeysCommand(certificates: EtcdCertificates): string[] {
  return ['/bin/sh', '-c', `${etcdctl(certificates)} get '' --prefix --keys-only`];
}
