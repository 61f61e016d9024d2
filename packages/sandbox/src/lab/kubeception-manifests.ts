import { gkeOnPremVersion, labImages } from './lab-versions.js';

/** A Kubernetes object as plain JSON, as the lab's API servers store it. */
export type KubeObject = { apiVersion: string; kind: string; metadata: Record<string, unknown> } & Record<
  string,
  unknown
>;

/** Options of {@link kubeceptionManifests}. */
export interface KubeceptionManifestsOptions {
  /** The user cluster's name, which is also its namespace in the admin cluster. */
  userClusterName: string;
  /** 3 etcd members and 3 API server replicas when true, 1 of each otherwise. */
  ha: boolean;
  /** Name of the Secret holding etcdCA.crt, etcd.crt and etcd.key (the real one ends in a hash). */
  etcdCertsSecretName: string;
  /** Base64 PEM contents for that Secret. */
  etcdCerts: { 'etcdCA.crt': string; 'etcd.crt': string; 'etcd.key': string };
  /** Admin-cluster node names; member N is pinned to node N modulo their count, like anti-affinity would. */
  adminNodeNames: string[];
}

const certificateDirectory = '/etcd.local.config/certificates';

/** Peer URL of Kubeception member `kube-etcd-N`, exactly as the restore procedure spells it. */
export function kubeEtcdPeerUrl(ordinal: number): string {
  return `https://kube-etcd-${ordinal}.kube-etcd:2380`;
}

/** The `--initial-cluster` value of a Kubeception etcd with `members` members. */
export function kubeEtcdInitialCluster(members: number): string {
  return Array.from(
    { length: members },
    (_, ordinal) => `kube-etcd-${ordinal}=${kubeEtcdPeerUrl(ordinal)}`,
  ).join(',');
}

/**
 * The objects of a Kubeception user cluster's control plane in the admin cluster: namespace USER with the
 * etcd StatefulSet `kube-etcd`, its Secret and headless Service, the API server StatefulSet `kube-apiserver`,
 * the Deployment `gke-master-etcd-maintenance` and the PDB `kube-apiserver-pdb`, named as in the runbook.
 */
export function kubeceptionManifests(options: KubeceptionManifestsOptions): KubeObject[] {
  const namespace = options.userClusterName;
  const members = options.ha ? 3 : 1;
  const labels = (app: string) => ({ app, 'kubernetes.googleapis.com/cluster-name': namespace });
  // The member's own name comes from the pod's hostname, which the StatefulSet sets to the pod name, as the
  // real kube-etcd start script does.
  const etcdScript = [
    'exec etcd',
    '--name="$(hostname)"',
    '--data-dir=/var/lib/etcd',
    '--listen-client-urls=https://0.0.0.0:2379',
    '--advertise-client-urls="https://$(hostname).kube-etcd:2379"',
    '--listen-peer-urls=https://0.0.0.0:2380',
    '--initial-advertise-peer-urls="https://$(hostname).kube-etcd:2380"',
    `--initial-cluster=${kubeEtcdInitialCluster(members)}`,
    '--initial-cluster-token=etcd-cluster-1',
    '--initial-cluster-state=new',
    `--trusted-ca-file=${certificateDirectory}/etcdCA.crt`,
    `--cert-file=${certificateDirectory}/etcd.crt`,
    `--key-file=${certificateDirectory}/etcd.key`,
    '--client-cert-auth',
    `--peer-trusted-ca-file=${certificateDirectory}/etcdCA.crt`,
    `--peer-cert-file=${certificateDirectory}/etcd.crt`,
    `--peer-key-file=${certificateDirectory}/etcd.key`,
    '--peer-client-cert-auth',
    '--snapshot-count=10000',
  ].join(' ');

  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: options.etcdCertsSecretName, namespace, labels: labels('kube-etcd') },
      type: 'Opaque',
      data: options.etcdCerts,
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-etcd', namespace, labels: labels('kube-etcd') },
      spec: {
        clusterIP: 'None',
        selector: { app: 'kube-etcd' },
        ports: [
          { name: 'client', port: 2379, targetPort: 2379 },
          { name: 'peer', port: 2380, targetPort: 2380 },
        ],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'kube-etcd', namespace, labels: labels('kube-etcd') },
      spec: {
        replicas: members,
        serviceName: 'kube-etcd',
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: { app: 'kube-etcd' } },
        template: {
          metadata: { labels: labels('kube-etcd') },
          spec: {
            containers: [
              {
                name: 'kube-etcd',
                image: labImages.etcd,
                command: ['/bin/sh', '-ec', etcdScript],
                volumeMounts: [
                  { name: 'data', mountPath: '/var/lib/etcd' },
                  { name: 'etcd-certs', mountPath: certificateDirectory, readOnly: true },
                ],
                readinessProbe: { tcpSocket: { port: 2379 }, periodSeconds: 1 },
              },
            ],
            volumes: [
              { name: 'etcd-certs', secret: { secretName: options.etcdCertsSecretName, defaultMode: 0o600 } },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
          },
        ],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'kube-apiserver', namespace, labels: labels('kube-apiserver') },
      spec: {
        replicas: members,
        serviceName: 'kube-apiserver',
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: { app: 'kube-apiserver' } },
        template: {
          metadata: { labels: labels('kube-apiserver') },
          spec: {
            containers: [
              {
                name: 'kube-apiserver',
                image: labImages.kubeApiserver,
                // The user cluster's API itself is served by the lab supervisor while this has a Ready replica.
                command: ['/usr/bin/sleep', 'infinity'],
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'gke-master-etcd-maintenance',
        namespace,
        labels: labels('gke-master-etcd-maintenance'),
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'gke-master-etcd-maintenance' } },
        template: {
          metadata: { labels: labels('gke-master-etcd-maintenance') },
          spec: {
            containers: [
              {
                name: 'etcd-maintenance',
                image: labImages.etcdUtil,
                command: ['/usr/bin/sleep', 'infinity'],
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'kube-apiserver-pdb', namespace, labels: labels('kube-apiserver') },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'kube-apiserver' } } },
    },
  ];
}

/**
 * Objects a user cluster's own API holds at start: its kube-system and the OnPremUserCluster object, whose
 * `spec.enableControlplaneV2` tells the topologies apart.
 */
export function userClusterObjects(options: {
  userClusterName: string;
  controlplaneV2: boolean;
}): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
    {
      apiVersion: 'onprem.cluster.gke.io/v1alpha1',
      kind: 'OnPremUserCluster',
      metadata: { name: options.userClusterName, namespace: 'kube-system' },
      spec: { enableControlplaneV2: options.controlplaneV2, gkeOnPremVersion: gkeOnPremVersion },
    },
  ];
}
