import type { LooseObject } from '../loose-object.js';
import type { ResourceType } from '../resource-types.js';
import { formatLabelSelector, labelSelectorFromObject } from '../selectors/label-selector.js';
import type { KubeObject } from '../storage/object-store.js';

/** The `autoscaling/v1 Scale` view of a StatefulSet or Deployment. */
export function scaleOf(workload: KubeObject): KubeObject {
  const metadata = workload.metadata ?? {};
  const spec = (workload.spec ?? {}) as LooseObject;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: metadata.name,
      namespace: metadata.namespace,
      uid: metadata.uid,
      resourceVersion: metadata.resourceVersion,
      creationTimestamp: metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 1 },
    status: {
      replicas: (workload.status as LooseObject | undefined)?.replicas ?? 0,
      selector: formatLabelSelector(labelSelectorFromObject(spec.selector ?? {})),
    },
  };
}

/** Writes a Scale's `spec.replicas` back into the workload (keeping the Scale's resourceVersion as precondition). */
export function applyScale(options: {
  type: ResourceType;
  workload: KubeObject;
  scale: KubeObject;
}): KubeObject {
  const replicas = (options.scale.spec as LooseObject | undefined)?.replicas;
  return {
    ...options.workload,
    metadata: {
      ...options.workload.metadata,
      resourceVersion: options.scale.metadata?.resourceVersion ?? options.workload.metadata?.resourceVersion,
    },
    spec: { ...options.workload.spec, replicas },
  };
}
