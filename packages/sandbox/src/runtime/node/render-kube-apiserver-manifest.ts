import { stringify } from 'yaml';

/** The default kube-apiserver image of the lab's control-plane nodes. */
export const defaultKubeApiserverImage = 'gcr.io/gke-on-prem-release/kube-apiserver:v1.28.7-gke.1300';

/** Options of {@link renderKubeApiserverManifest}. */
export interface RenderKubeApiserverManifestOptions {
  nodeName: string;
  nodeIp: string;
  /** Default {@link defaultKubeApiserverImage}. */
  image?: string;
  /** Port the API is advertised on. Default 6443. */
  securePort?: number;
}

/**
 * A kubeadm-style `kube-apiserver.yaml` static pod manifest (pod `kube-apiserver`, labels
 * `component=kube-apiserver,tier=control-plane`, host network, `/etc/kubernetes/pki` as volume
 * `k8s-certs`). The lab has no kube-apiserver binary: the container is a placeholder process that
 * carries the real flags as its arguments and sleeps, and the lab supervisor serves the cluster's API
 * while at least one of these pods is Ready, so moving the manifest away takes the API down as it would.
 */
export function renderKubeApiserverManifest(options: RenderKubeApiserverManifestOptions): string {
  const port = options.securePort ?? 6443;
  const pki = '/etc/kubernetes/pki';
  const flags = [
    `--advertise-address=${options.nodeIp}`,
    '--allow-privileged=true',
    '--authorization-mode=Node,RBAC',
    `--client-ca-file=${pki}/ca.crt`,
    `--etcd-cafile=${pki}/etcd/ca.crt`,
    `--etcd-certfile=${pki}/apiserver-etcd-client.crt`,
    `--etcd-keyfile=${pki}/apiserver-etcd-client.key`,
    '--etcd-servers=https://127.0.0.1:2379',
    `--secure-port=${port}`,
    `--tls-cert-file=${pki}/apiserver.crt`,
    `--tls-private-key-file=${pki}/apiserver.key`,
  ];
  const manifest = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      annotations: {
        'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': `${options.nodeIp}:${port}`,
        'etcd-dr.lab/placeholder': 'the lab supervisor serves this API while this pod is Ready',
      },
      creationTimestamp: null,
      labels: { component: 'kube-apiserver', tier: 'control-plane' },
      name: 'kube-apiserver',
      namespace: 'kube-system',
    },
    spec: {
      containers: [
        {
          command: ['/bin/sh', '-c', 'exec sleep infinity', 'kube-apiserver'],
          args: flags,
          image: options.image ?? defaultKubeApiserverImage,
          imagePullPolicy: 'IfNotPresent',
          name: 'kube-apiserver',
          resources: { requests: { cpu: '250m' } },
          volumeMounts: [{ mountPath: pki, name: 'k8s-certs', readOnly: true }],
        },
      ],
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      volumes: [{ hostPath: { path: pki, type: 'DirectoryOrCreate' }, name: 'k8s-certs' }],
    },
    status: {},
  };
  return stringify(manifest, { lineWidth: 0 });
}
