import type { ApiContext } from '../api-context.js';
import { ApiStatusError } from '../api-status-error.js';
import type { LooseObject } from '../loose-object.js';
import { findResourceType } from '../resource-types.js';
import { deleteObject } from '../rest/delete-object.js';
import type { KubeObject } from '../storage/object-store.js';
import { controllerReference, isOwnedBy, isPodReady, isTerminating, templateHash } from './pod-helpers.js';

const podType = findResourceType({ group: '', version: 'v1', resource: 'pods' })!;
const claimType = findResourceType({ group: '', version: 'v1', resource: 'persistentvolumeclaims' })!;
const statefulSetType = findResourceType({ group: 'apps', version: 'v1', resource: 'statefulsets' })!;

const ordinalOf = (setName: string, podName: string): number | undefined => {
  const match = new RegExp(`^${setName.replace(/[.]/g, '\\.')}-(\\d+)$`).exec(podName);
  return match ? Number(match[1]) : undefined;
};

function ignoreRaces(error: unknown): void {
  if (error instanceof ApiStatusError && ['AlreadyExists', 'NotFound', 'Conflict'].includes(error.reason))
    return;
  throw error;
}

function podFor(options: { set: KubeObject; ordinal: number; revision: string }): KubeObject {
  const { set, ordinal } = options;
  const spec = set.spec as LooseObject;
  const setName = set.metadata!.name!;
  const name = `${setName}-${ordinal}`;
  const template = structuredClone(spec.template ?? {}) as LooseObject;
  const claims = (spec.volumeClaimTemplates ?? []) as LooseObject[];
  const podSpec = (template.spec ?? {}) as LooseObject;
  const volumes = ((podSpec.volumes ?? []) as LooseObject[]).filter(
    (volume) => !claims.some((claim) => claim.metadata?.name === volume.name),
  );
  for (const claim of claims) {
    volumes.push({
      name: claim.metadata.name,
      persistentVolumeClaim: { claimName: `${claim.metadata.name}-${name}` },
    });
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata!.namespace,
      labels: {
        ...template.metadata?.labels,
        'statefulset.kubernetes.io/pod-name': name,
        'apps.kubernetes.io/pod-index': String(ordinal),
        'controller-revision-hash': options.revision,
      },
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [controllerReference(set)],
    },
    spec: {
      ...podSpec,
      volumes,
      hostname: name,
      ...(spec.serviceName ? { subdomain: spec.serviceName } : {}),
    },
  };
}

function claimFor(options: { set: KubeObject; claim: LooseObject; podName: string }): KubeObject {
  const selectorLabels = ((options.set.spec as LooseObject).selector?.matchLabels ?? {}) as Record<
    string,
    string
  >;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: `${options.claim.metadata.name}-${options.podName}`,
      namespace: options.set.metadata!.namespace,
      labels: { ...options.claim.metadata?.labels, ...selectorLabels },
    },
    spec: { volumeMode: 'Filesystem', ...structuredClone(options.claim.spec) },
    status: { phase: 'Pending' },
  };
}

async function reconcileOne(options: {
  context: ApiContext;
  set: KubeObject;
  pods: KubeObject[];
  claims: KubeObject[];
}): Promise<void> {
  const { context, set } = options;
  const namespace = set.metadata!.namespace!;
  const setName = set.metadata!.name!;
  const spec = set.spec as LooseObject;
  const replicas: number = spec.replicas ?? 1;
  const ordered = (spec.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
  const revision = `${setName}-${templateHash(spec.template)}`;
  const byOrdinal = new Map<number, KubeObject>();
  for (const pod of options.pods) {
    if (pod.metadata?.namespace !== namespace) continue;
    const ordinal = ordinalOf(setName, pod.metadata?.name ?? '');
    if (ordinal !== undefined && isOwnedBy(pod, set)) byOrdinal.set(ordinal, pod);
  }

  for (let ordinal = 0; ordinal < replicas; ordinal++) {
    const podName = `${setName}-${ordinal}`;
    for (const claim of (spec.volumeClaimTemplates ?? []) as LooseObject[]) {
      const claimName = `${claim.metadata.name}-${podName}`;
      if (
        options.claims.some(
          (existing) => existing.metadata?.namespace === namespace && existing.metadata?.name === claimName,
        )
      )
        continue;
      await context.store
        .create({ type: claimType, namespace, object: claimFor({ set, claim, podName }) })
        .catch(ignoreRaces);
    }
  }

  const anyTerminating = [...byOrdinal.values()].some(isTerminating);
  const condemned = [...byOrdinal.keys()]
    .filter((ordinal) => ordinal >= replicas)
    .sort((left, right) => right - left);
  for (const ordinal of ordered ? condemned.slice(0, 1) : condemned) {
    const pod = byOrdinal.get(ordinal)!;
    if (isTerminating(pod) || (ordered && anyTerminating)) continue;
    await deleteObject({ context, type: podType, namespace, name: pod.metadata!.name! }).catch(ignoreRaces);
  }

  let blocked = false;
  for (let ordinal = 0; ordinal < replicas && !blocked; ordinal++) {
    const pod = byOrdinal.get(ordinal);
    if (!pod) {
      await context.store
        .create({ type: podType, namespace, object: podFor({ set, ordinal, revision }) })
        .catch(ignoreRaces);
      if (ordered) blocked = true;
    } else if (ordered && (!isPodReady(pod) || isTerminating(pod))) {
      blocked = true;
    }
  }

  const current = [...byOrdinal.entries()].filter(([ordinal]) => ordinal < replicas);
  const healthy = (pod: KubeObject): boolean => isPodReady(pod) && !isTerminating(pod);
  const allSettled = current.length === replicas && current.every(([, pod]) => healthy(pod));
  const stale = current.filter(([, pod]) => pod.metadata?.labels?.['controller-revision-hash'] !== revision);
  // The real rolling update: from the highest ordinal down, replace the first stale pod, but stop at any
  // pod that is not yet healthy (OrderedReady additionally waits for the whole set).
  if (stale.length > 0 && (allSettled || !ordered)) {
    for (let target = replicas - 1; target >= 0; target--) {
      const pod = byOrdinal.get(target);
      if (!pod) break;
      if (pod.metadata?.labels?.['controller-revision-hash'] !== revision && !isTerminating(pod)) {
        await deleteObject({ context, type: podType, namespace, name: pod.metadata!.name! }).catch(
          ignoreRaces,
        );
        break;
      }
      if (!healthy(pod)) break;
    }
  }

  const existing = [...byOrdinal.values()];
  const ready = existing.filter((pod) => isPodReady(pod) && !isTerminating(pod)).length;
  const updated = existing.filter(
    (pod) => pod.metadata?.labels?.['controller-revision-hash'] === revision,
  ).length;
  const status = {
    observedGeneration: set.metadata?.generation ?? 1,
    replicas: existing.length,
    readyReplicas: ready,
    currentReplicas: updated,
    updatedReplicas: updated,
    availableReplicas: ready,
    currentRevision:
      stale.length === 0 ? revision : ((set.status as LooseObject | undefined)?.currentRevision ?? revision),
    updateRevision: revision,
    collisionCount: 0,
  };
  if (JSON.stringify(status) !== JSON.stringify(set.status)) {
    await context.store
      .update({
        type: statefulSetType,
        namespace,
        name: setName,
        object: { ...set, status },
        subresource: 'status',
      })
      .catch(ignoreRaces);
  }
}

/**
 * One pass of the StatefulSet controller over every StatefulSet: PVCs `CLAIM-SET-N` from the claim
 * templates (kept when pods go), pods `SET-N` created in ordinal order (all at once with `Parallel`),
 * extra ordinals deleted from the top, pods of an older template replaced one at a time from the highest
 * ordinal, and the status counts written back.
 */
export async function reconcileStatefulSets(options: { context: ApiContext }): Promise<void> {
  const { context } = options;
  const [{ items: sets }, { items: pods }, { items: claims }] = await Promise.all([
    context.store.list({ type: statefulSetType }),
    context.store.list({ type: podType }),
    context.store.list({ type: claimType }),
  ]);
  for (const set of sets) {
    if (isTerminating(set)) continue;
    await reconcileOne({ context, set, pods, claims });
  }
}
