/** Options of {@link utilityPodManifest}. */
export interface UtilityPodManifestOptions {
  namespace: string;
  /** `etcd-utility-N`. */
  name: string;
  /** `data-kube-etcd-N`. */
  claim: string;
  /** The node whose local storage holds the claim (`kubernetes.io/hostname`); omitted when unknown. */
  node?: string;
  /** The `kube-etcd-certs-*` Secret. */
  secret: string;
  image: string;
  restoreId: string;
}

/**
 * Pure: the utility pod of the runbook (image etcd-util, the member's PVC at /var/lib/etcd, the etcd
 * certificates Secret at /etcd.local.config/certificates with defaultMode 420, pinned to the member's node,
 * the runbook's tolerations), labelled so that etcd-dr can find and remove what it created.
 */
export function utilityPodManifest(options: UtilityPodManifestOptions): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'etcd-dr', 'etcd-dr.io/restore-id': options.restoreId },
    },
    spec: {
      containers: [
        {
          name: 'etcd-utility',
          image: options.image,
          command: ['/bin/sh', '-ec', "while :; do echo '.'; sleep 5 ; done"],
          volumeMounts: [
            { name: 'data', mountPath: '/var/lib/etcd' },
            { name: 'etcd-certs', mountPath: '/etcd.local.config/certificates' },
          ],
        },
      ],
      nodeSelector: {
        'kubernetes.googleapis.com/cluster-name': options.namespace,
        ...(options.node ? { 'kubernetes.io/hostname': options.node } : {}),
      },
      tolerations: [
        {
          effect: 'NoExecute',
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          tolerationSeconds: 300,
        },
        {
          effect: 'NoExecute',
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          tolerationSeconds: 300,
        },
        { effect: 'NoSchedule', key: 'node.kubernetes.io/unschedulable', operator: 'Exists' },
      ],
      volumes: [
        { name: 'data', persistentVolumeClaim: { claimName: options.claim } },
        { name: 'etcd-certs', secret: { secretName: options.secret, defaultMode: 420 } },
      ],
    },
  };
}
