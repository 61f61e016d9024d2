import type { CreatePkiOptions } from '../runtime/pki/create-pki.js';

/** Options of {@link kubeceptionPkiPlan}. */
export interface KubeceptionPkiPlanOptions {
  /** Address of the admin cluster's etcd pod. */
  adminEtcdIp: string;
  /** Namespace of the user cluster's control plane in the admin cluster. */
  userClusterName: string;
  /** Addresses of `kube-etcd-0..N-1`, in order. */
  userEtcdIps: string[];
}

/**
 * The certificates of a Kubeception lab, laid out like the real clusters: the admin control-plane node's
 * kubeadm tree (`admin-cp/etcd/{ca,server,peer,healthcheck-client}`, `admin-cp/{ca,apiserver,...}`) and the
 * user cluster's etcd certificates that end up in Secret `kube-etcd-certs-*` (`user/etcd/ca` -> etcdCA.crt,
 * `user/etcd/etcd` -> etcd.crt/etcd.key, one certificate for every member as in GDC).
 */
export function kubeceptionPkiPlan(options: KubeceptionPkiPlanOptions): Omit<CreatePkiOptions, 'directory'> {
  const loopback = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
  const namespace = options.userClusterName;
  const memberNames = options.userEtcdIps.flatMap((_, ordinal) => [
    `kube-etcd-${ordinal}.kube-etcd`,
    `kube-etcd-${ordinal}.kube-etcd.${namespace}.svc`,
    `kube-etcd-${ordinal}.kube-etcd.${namespace}.svc.cluster.local`,
  ]);
  return {
    authorities: {
      'admin-cp/etcd/ca': { commonName: 'etcd-ca' },
      'admin-cp/ca': { commonName: 'kubernetes' },
      'user/etcd/ca': { commonName: `${namespace}-etcd-ca` },
      'user/ca': { commonName: `${namespace}-kubernetes` },
    },
    leaves: [
      {
        name: 'admin-cp/etcd/server',
        authority: 'admin-cp/etcd/ca',
        usage: 'peer',
        commonName: 'admin-cp',
        dnsNames: ['admin-cp', 'localhost'],
        ipAddresses: [options.adminEtcdIp, '127.0.0.1'],
      },
      {
        name: 'admin-cp/etcd/peer',
        authority: 'admin-cp/etcd/ca',
        usage: 'peer',
        commonName: 'admin-cp',
        dnsNames: ['admin-cp', 'localhost'],
        ipAddresses: [options.adminEtcdIp, '127.0.0.1'],
      },
      {
        name: 'admin-cp/etcd/healthcheck-client',
        authority: 'admin-cp/etcd/ca',
        usage: 'client',
        commonName: 'kube-etcd-healthcheck-client',
      },
      {
        name: 'admin-cp/apiserver-etcd-client',
        authority: 'admin-cp/etcd/ca',
        usage: 'client',
        commonName: 'kube-apiserver-etcd-client',
      },
      {
        name: 'admin-cp/apiserver',
        authority: 'admin-cp/ca',
        usage: 'server',
        commonName: 'kube-apiserver',
        ...loopback,
      },
      {
        name: 'admin-cp/admin',
        authority: 'admin-cp/ca',
        usage: 'client',
        commonName: 'kubernetes-admin',
        organizations: ['system:masters'],
      },
      {
        name: 'user/etcd/etcd',
        authority: 'user/etcd/ca',
        usage: 'peer',
        commonName: 'kube-etcd',
        dnsNames: [...memberNames, 'localhost'],
        ipAddresses: [...options.userEtcdIps, '127.0.0.1'],
      },
      {
        name: 'user/apiserver-etcd-client',
        authority: 'user/etcd/ca',
        usage: 'client',
        commonName: 'kube-apiserver-etcd-client',
      },
      {
        name: 'user/apiserver',
        authority: 'user/ca',
        usage: 'server',
        commonName: 'kube-apiserver',
        ...loopback,
      },
      {
        name: 'user/admin',
        authority: 'user/ca',
        usage: 'client',
        commonName: 'kubernetes-admin',
        organizations: ['system:masters'],
      },
    ],
  };
}
