import type { CreatePkiOptions } from '../runtime/pki/create-pki.js';

/** Options of {@link kubeadmPkiPlan}. */
export interface KubeadmPkiPlanOptions {
  /** Name prefix of every certificate of this cluster in the lab PKI, e.g. `admin-cp` or `user`. */
  cluster: string;
  /** Common-name prefix of the cluster's CAs (`PREFIX-etcd-ca`, `PREFIX-kubernetes`); none: `etcd-ca`, `kubernetes`. */
  commonNamePrefix?: string;
  /** The cluster's control-plane nodes (name and address): one etcd `server` and `peer` certificate each. */
  nodes: Array<{ name: string; ip: string }>;
}

/**
 * The certificates of a kubeadm-style control plane as GDC nodes carry them under /etc/kubernetes/pki:
 * CAs `CLUSTER/ca` and `CLUSTER/etcd/ca`; per node `CLUSTER/NODE/etcd/server` and `.../peer` (the node's
 * name and address, plus localhost); shared `CLUSTER/etcd/healthcheck-client`,
 * `CLUSTER/apiserver-etcd-client`, `CLUSTER/apiserver` (serving: 127.0.0.1 and every node address) and
 * the `CLUSTER/admin` client of the kubeconfig. See {@link kubeadmNodePki} for where each lands on a node.
 */
export function kubeadmPkiPlan(options: KubeadmPkiPlanOptions): Omit<CreatePkiOptions, 'directory'> {
  const { cluster } = options;
  const prefix = options.commonNamePrefix ? `${options.commonNamePrefix}-` : '';
  return {
    authorities: {
      [`${cluster}/etcd/ca`]: { commonName: `${prefix}etcd-ca` },
      [`${cluster}/ca`]: { commonName: `${prefix}kubernetes` },
    },
    leaves: [
      ...options.nodes.flatMap((node) =>
        (['server', 'peer'] as const).map((kind) => ({
          name: `${cluster}/${node.name}/etcd/${kind}`,
          authority: `${cluster}/etcd/ca`,
          usage: 'peer' as const,
          commonName: node.name,
          dnsNames: [node.name, 'localhost'],
          ipAddresses: [node.ip, '127.0.0.1'],
        })),
      ),
      {
        name: `${cluster}/etcd/healthcheck-client`,
        authority: `${cluster}/etcd/ca`,
        usage: 'client',
        commonName: 'kube-etcd-healthcheck-client',
      },
      {
        name: `${cluster}/apiserver-etcd-client`,
        authority: `${cluster}/etcd/ca`,
        usage: 'client',
        commonName: 'kube-apiserver-etcd-client',
      },
      {
        name: `${cluster}/apiserver`,
        authority: `${cluster}/ca`,
        usage: 'server',
        commonName: 'kube-apiserver',
        dnsNames: [
          'localhost',
          'kubernetes',
          'kubernetes.default',
          ...options.nodes.map((node) => node.name),
        ],
        ipAddresses: ['127.0.0.1', ...options.nodes.map((node) => node.ip)],
      },
      {
        name: `${cluster}/admin`,
        authority: `${cluster}/ca`,
        usage: 'client',
        commonName: 'kubernetes-admin',
        organizations: ['system:masters'],
      },
    ],
  };
}

/**
 * Where a control-plane node's certificates lie under /etc/kubernetes/pki (kubeadm's layout), as the
 * `pki` option of `startNode`: path relative to /etc/kubernetes/pki to the lab PKI name and kind.
 */
export function kubeadmNodePki(options: {
  cluster: string;
  node: string;
}): Record<string, { name: string; kind: 'crt' | 'key' }> {
  const { cluster, node } = options;
  const pair = (path: string, name: string) => ({
    [`${path}.crt`]: { name, kind: 'crt' as const },
    [`${path}.key`]: { name, kind: 'key' as const },
  });
  return {
    ...pair('ca', `${cluster}/ca`),
    ...pair('apiserver', `${cluster}/apiserver`),
    ...pair('apiserver-etcd-client', `${cluster}/apiserver-etcd-client`),
    ...pair('etcd/ca', `${cluster}/etcd/ca`),
    ...pair('etcd/server', `${cluster}/${node}/etcd/server`),
    ...pair('etcd/peer', `${cluster}/${node}/etcd/peer`),
    ...pair('etcd/healthcheck-client', `${cluster}/etcd/healthcheck-client`),
  };
}
