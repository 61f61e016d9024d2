import type { KubeObject } from '../apiserver/storage/object-store.js';
import type { StaticPodReport } from '../runtime/node/node-agent.js';

/** Annotation the kubelet puts on a mirror pod: the static pod it stands for (here the runtime uid). */
export const mirrorAnnotation = 'kubernetes.io/config.mirror';

/**
 * The mirror pod the kubelet posts for a static pod (pure): name `NAME-NODE`, the manifest's labels and
 * annotations plus `kubernetes.io/config.{mirror,source,hash}`, the manifest's spec bound to the node,
 * priority class `system-node-critical` and tolerating every NoExecute taint, as kubeadm's pods do.
 */
export function mirrorPodObject(report: StaticPodReport): KubeObject {
  const { spec } = report.manifest;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: report.name,
      namespace: report.namespace,
      labels: { ...report.labels },
      annotations: {
        ...report.annotations,
        [mirrorAnnotation]: report.uid,
        'kubernetes.io/config.hash': report.uid,
        'kubernetes.io/config.source': 'file',
      },
    },
    spec: {
      nodeName: report.node,
      hostNetwork: spec.hostNetwork ?? false,
      restartPolicy: spec.restartPolicy ?? 'Always',
      priorityClassName: 'system-node-critical',
      terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds ?? 30,
      tolerations: [{ operator: 'Exists', effect: 'NoExecute' }],
      containers: spec.containers.map((container) => ({
        name: container.name,
        image: container.image,
        ...(container.command ? { command: container.command } : {}),
        ...(container.args ? { args: container.args } : {}),
        ...(container.volumeMounts ? { volumeMounts: container.volumeMounts } : {}),
      })),
      volumes: (spec.volumes ?? []).map((volume) => ({ name: volume.name, hostPath: volume.hostPath })),
    },
  };
}
