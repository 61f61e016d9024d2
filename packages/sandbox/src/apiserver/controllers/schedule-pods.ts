import type { ApiContext } from '../api-context.js';
import { ApiStatusError } from '../api-status-error.js';
import type { LooseObject } from '../loose-object.js';
import { findResourceType } from '../resource-types.js';
import type { KubeObject } from '../storage/object-store.js';
import { isTerminating, nowTimestamp } from './pod-helpers.js';

const podType = findResourceType({ group: '', version: 'v1', resource: 'pods' })!;
const nodeType = findResourceType({ group: '', version: 'v1', resource: 'nodes' })!;
const claimType = findResourceType({ group: '', version: 'v1', resource: 'persistentvolumeclaims' })!;

function isNodeReady(node: KubeObject): boolean {
  if ((node.spec as LooseObject | undefined)?.unschedulable) return false;
  const conditions = ((node.status as LooseObject | undefined)?.conditions ?? []) as LooseObject[];
  return conditions.some((condition) => condition.type === 'Ready' && condition.status === 'True');
}

/** The annotation the volume binder puts on a claim of local storage: the claim lives on that node. */
export const selectedNodeAnnotation = 'volume.kubernetes.io/selected-node';

function tolerates(tolerations: LooseObject[], taint: LooseObject): boolean {
  return tolerations.some(
    (toleration) =>
      (toleration.key === undefined || toleration.key === taint.key) &&
      (toleration.effect === undefined || toleration.effect === taint.effect) &&
      (toleration.operator === 'Exists' || toleration.value === taint.value),
  );
}

/**
 * Picks a node for a pod (pure): every nodeSelector label must match, NoSchedule/NoExecute taints must be
 * tolerated, and a pod using a claim already bound to a node's local storage must go to that node (as
 * with local PersistentVolumes); among fitting Ready nodes, the least loaded.
 */
export function chooseNode(options: {
  pod: KubeObject;
  nodes: KubeObject[];
  pods: KubeObject[];
  claims?: KubeObject[];
}): string | undefined {
  const spec = (options.pod.spec ?? {}) as LooseObject;
  const selector = (spec.nodeSelector ?? {}) as Record<string, string>;
  const tolerations = (spec.tolerations ?? []) as LooseObject[];
  const claimNames = ((spec.volumes ?? []) as LooseObject[])
    .map((volume) => volume.persistentVolumeClaim?.claimName as string | undefined)
    .filter((name): name is string => name !== undefined);
  const pinnedNodes = new Set(
    (options.claims ?? [])
      .filter(
        (claim) =>
          claim.metadata?.namespace === options.pod.metadata?.namespace &&
          claimNames.includes(claim.metadata?.name ?? ''),
      )
      .map((claim) => claim.metadata?.annotations?.[selectedNodeAnnotation])
      .filter((node): node is string => node !== undefined),
  );
  const fitting = options.nodes.filter((node) => {
    const labels: Record<string, string> = {
      'kubernetes.io/hostname': node.metadata?.name ?? '',
      ...node.metadata?.labels,
    };
    const taints = ((node.spec as LooseObject | undefined)?.taints ?? []) as LooseObject[];
    return (
      isNodeReady(node) &&
      Object.entries(selector).every(([key, value]) => labels[key] === value) &&
      taints.every((taint) => taint.effect === 'PreferNoSchedule' || tolerates(tolerations, taint)) &&
      [...pinnedNodes].every((pinned) => pinned === node.metadata?.name)
    );
  });
  const load = (nodeName: string): number =>
    options.pods.filter((pod) => (pod.spec as LooseObject | undefined)?.nodeName === nodeName).length;
  return fitting
    .map((node) => node.metadata!.name!)
    .sort((left, right) => load(left) - load(right) || left.localeCompare(right))[0];
}

function ignoreRaces(error: unknown): void {
  if (error instanceof ApiStatusError && ['NotFound', 'Conflict'].includes(error.reason)) return;
  throw error;
}

/**
 * One pass of the scheduler: binds pending pods to a node (nodeSelector, `kubernetes.io/hostname`
 * included, else any Ready node) or marks them Unschedulable; also binds pending PVCs (the lab's storage
 * is local directories, always available).
 */
export async function schedulePods(options: { context: ApiContext }): Promise<void> {
  const { context } = options;
  const [{ items: pods }, { items: nodes }, { items: claims }] = await Promise.all([
    context.store.list({ type: podType }),
    context.store.list({ type: nodeType }),
    context.store.list({ type: claimType }),
  ]);
  for (const pod of pods) {
    const spec = (pod.spec ?? {}) as LooseObject;
    if (spec.nodeName || isTerminating(pod)) continue;
    const nodeName = chooseNode({ pod, nodes, pods, claims });
    const namespace = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    if (nodeName) {
      await context.store
        .update({ type: podType, namespace, name, object: { ...pod, spec: { ...spec, nodeName } } })
        .catch(ignoreRaces);
      await pinClaims({ context, pod, nodeName, claims });
      continue;
    }
    const conditions = ((pod.status as LooseObject | undefined)?.conditions ?? []) as LooseObject[];
    if (
      conditions.some(
        (condition) => condition.type === 'PodScheduled' && condition.reason === 'Unschedulable',
      )
    )
      continue;
    const status = {
      ...(pod.status as LooseObject),
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          lastProbeTime: null,
          lastTransitionTime: nowTimestamp(),
          reason: 'Unschedulable',
          message: `0/${nodes.length} nodes are available: ${nodes.length} node(s) didn't match Pod's node affinity/selector.`,
        },
      ],
    };
    await context.store
      .update({ type: podType, namespace, name, object: { ...pod, status }, subresource: 'status' })
      .catch(ignoreRaces);
  }
  for (const claim of claims) {
    const status = (claim.status ?? {}) as LooseObject;
    if (status.phase === 'Bound') continue;
    const spec = (claim.spec ?? {}) as LooseObject;
    await context.store
      .update({
        type: claimType,
        namespace: claim.metadata!.namespace!,
        name: claim.metadata!.name!,
        object: {
          ...claim,
          status: {
            phase: 'Bound',
            accessModes: spec.accessModes ?? ['ReadWriteOnce'],
            capacity: { storage: spec.resources?.requests?.storage ?? '1Gi' },
          },
        },
        subresource: 'status',
      })
      .catch(ignoreRaces);
  }
}

/** The first pod to use a claim pins its local storage to that pod's node (WaitForFirstConsumer). */
async function pinClaims(options: {
  context: ApiContext;
  pod: KubeObject;
  nodeName: string;
  claims: KubeObject[];
}): Promise<void> {
  const volumes = ((options.pod.spec as LooseObject | undefined)?.volumes ?? []) as LooseObject[];
  for (const volume of volumes) {
    const claimName = volume.persistentVolumeClaim?.claimName as string | undefined;
    const claim = options.claims.find(
      (candidate) =>
        candidate.metadata?.name === claimName &&
        candidate.metadata?.namespace === options.pod.metadata?.namespace,
    );
    if (!claim || claim.metadata?.annotations?.[selectedNodeAnnotation]) continue;
    await options.context.store
      .update({
        type: claimType,
        namespace: claim.metadata!.namespace!,
        name: claim.metadata!.name!,
        object: {
          ...claim,
          metadata: {
            ...claim.metadata,
            annotations: { ...claim.metadata?.annotations, [selectedNodeAnnotation]: options.nodeName },
          },
        },
      })
      .catch(ignoreRaces);
  }
}
