import type { CreatePkiOptions } from '../runtime/pki/create-pki.js';
import { kubeadmPkiPlan } from './kubeadm-pki-plan.js';

/** Options of {@link kubeceptionPkiPlan}. */
export interface KubeceptionPkiPlanOptions {
  /** Address of the admin cluster's control-plane node `admin-cp` (its etcd runs there). */
  adminCpIp: string;
  /** Namespace of the user cluster's control plane in the admin cluster. */
  userClusterName: string;
  /** Addresses of `kube-etcd-0..N-1`, in order. */
  userEtcdIps: string[];
}

/**
 * The certificates of a Kubeception lab, laid out like the real clusters: the admin control-plane node's
 * kubeadm tree ({@link kubeadmPkiPlan} with cluster `admin-cp`) and the
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
  const admin = kubeadmPkiPlan({ cluster: 'admin-cp', nodes: [{ name: 'admin-cp', ip: options.adminCpIp }] });
  return {
    authorities: {
      ...admin.authorities,
      'user/etcd/ca': { commonName: `${namespace}-etcd-ca` },
      'user/ca': { commonName: `${namespace}-kubernetes` },
    },
    leaves: [
      ...admin.leaves,
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
