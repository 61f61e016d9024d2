import { stringify } from 'yaml';

/** The default etcd image of the lab's control-plane nodes (GDC 1.28 ships etcd 3.4.27). */
export const defaultEtcdImage = 'gcr.io/gke-on-prem-release/etcd:v3.4.27-0-gke.1';

/** Options of {@link renderEtcdManifest}. */
export interface RenderEtcdManifestOptions {
  /** Node name: etcd `--name`. */
  nodeName: string;
  /** Node address: peer and client URLs. */
  nodeIp: string;
  /** Every member (this node included), in order: `--initial-cluster`. */
  initialCluster: Array<{ name: string; ip: string }>;
  /** `--initial-cluster-state`. Default: omitted (etcd's default, `new`), as kubeadm writes the first member. */
  initialClusterState?: 'new' | 'existing';
  /** Default {@link defaultEtcdImage}. */
  image?: string;
  /** Host path of the data directory on the node. Default `/opt/data/var/lib/etcd` (GDC Controlplane V2). */
  dataHostPath?: string;
}

/**
 * A kubeadm-style `etcd.yaml` static pod manifest as GDC Controlplane V2 nodes have it: pod `etcd` in
 * `kube-system` with labels `component=etcd,tier=control-plane`, host network, the data directory
 * `/var/lib/etcd` from hostPath volume `etcd-data` (`/opt/data/var/lib/etcd` on the node), certificates
 * from hostPath volume `etcd-certs` (`/etc/kubernetes/pki/etcd`), clients on 127.0.0.1 and the node
 * address, metrics and health on `http://127.0.0.1:2381`.
 */
export function renderEtcdManifest(options: RenderEtcdManifestOptions): string {
  const { nodeIp } = options;
  const pki = '/etc/kubernetes/pki/etcd';
  const command = [
    'etcd',
    `--advertise-client-urls=https://${nodeIp}:2379`,
    `--cert-file=${pki}/server.crt`,
    '--client-cert-auth=true',
    '--data-dir=/var/lib/etcd',
    '--experimental-initial-corrupt-check=true',
    `--initial-advertise-peer-urls=https://${nodeIp}:2380`,
    `--initial-cluster=${options.initialCluster.map((member) => `${member.name}=https://${member.ip}:2380`).join(',')}`,
    ...(options.initialClusterState ? [`--initial-cluster-state=${options.initialClusterState}`] : []),
    `--key-file=${pki}/server.key`,
    `--listen-client-urls=https://127.0.0.1:2379,https://${nodeIp}:2379`,
    '--listen-metrics-urls=http://127.0.0.1:2381',
    `--listen-peer-urls=https://${nodeIp}:2380`,
    `--name=${options.nodeName}`,
    `--peer-cert-file=${pki}/peer.crt`,
    '--peer-client-cert-auth=true',
    `--peer-key-file=${pki}/peer.key`,
    `--peer-trusted-ca-file=${pki}/ca.crt`,
    '--snapshot-count=10000',
    `--trusted-ca-file=${pki}/ca.crt`,
  ];
  const manifest = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      annotations: { 'kubeadm.kubernetes.io/etcd.advertise-client-urls': `https://${nodeIp}:2379` },
      creationTimestamp: null,
      labels: { component: 'etcd', tier: 'control-plane' },
      name: 'etcd',
      namespace: 'kube-system',
    },
    spec: {
      containers: [
        {
          command,
          image: options.image ?? defaultEtcdImage,
          imagePullPolicy: 'IfNotPresent',
          livenessProbe: {
            failureThreshold: 8,
            httpGet: { host: '127.0.0.1', path: '/health', port: 2381, scheme: 'HTTP' },
            initialDelaySeconds: 10,
            periodSeconds: 10,
            timeoutSeconds: 15,
          },
          name: 'etcd',
          resources: { requests: { cpu: '100m', memory: '100Mi' } },
          volumeMounts: [
            { mountPath: '/var/lib/etcd', name: 'etcd-data' },
            { mountPath: pki, name: 'etcd-certs' },
          ],
        },
      ],
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      volumes: [
        { hostPath: { path: pki, type: 'DirectoryOrCreate' }, name: 'etcd-certs' },
        {
          hostPath: { path: options.dataHostPath ?? '/opt/data/var/lib/etcd', type: 'DirectoryOrCreate' },
          name: 'etcd-data',
        },
      ],
    },
    status: {},
  };
  return stringify(manifest, { lineWidth: 0 });
}
