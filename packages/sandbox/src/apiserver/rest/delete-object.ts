import type { ApiContext } from '../api-context.js';
import { conflict } from '../api-status-error.js';
import { type ResourceType, resourceTypes } from '../resource-types.js';
import type { KubeObject } from '../storage/object-store.js';

/** The parts of `DeleteOptions` this server honours. */
export interface DeleteObjectOptions {
  context: ApiContext;
  type: ResourceType;
  namespace?: string;
  name: string;
  /** Seconds; unset uses the pod's terminationGracePeriodSeconds. 0 deletes at once. */
  gracePeriodSeconds?: number;
  /** `Background` (default), `Foreground` or `Orphan`. */
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/**
 * Deletes an object with the real server's semantics: a pod running on a node the kubelet glue manages is
 * only marked (deletionTimestamp) and disappears once its containers are gone; dependents (ownerReferences)
 * are deleted in the background unless the policy is `Orphan`; deleting a namespace deletes its content.
 */
export async function deleteObject(options: DeleteObjectOptions): Promise<KubeObject> {
  const { context, type, namespace, name } = options;
  const existing = await context.store.get({ type, namespace, name });
  const metadata = existing.metadata ?? {};
  if (options.preconditions?.uid && options.preconditions.uid !== metadata.uid) {
    throw conflict({ group: type.group, resource: type.resource, name });
  }
  if (
    options.preconditions?.resourceVersion &&
    options.preconditions.resourceVersion !== metadata.resourceVersion
  ) {
    throw conflict({ group: type.group, resource: type.resource, name });
  }
  if (type.group === '' && type.resource === 'pods') {
    const spec = (existing.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const grace = options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
    if (grace > 0 && spec.nodeName && context.managesNode(spec.nodeName)) {
      if (metadata.deletionTimestamp) return existing;
      const marked: KubeObject = {
        ...existing,
        metadata: {
          ...metadata,
          deletionTimestamp: new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
          deletionGracePeriodSeconds: grace,
        },
      };
      return context.store.update({ type, namespace, name, object: marked });
    }
  }
  const deleted = await context.store.remove({ type, namespace, name, preconditionUid: metadata.uid });
  if (type.group === '' && type.resource === 'namespaces') {
    for (const namespacedType of resourceTypes.filter((candidate) => candidate.namespaced)) {
      const { items } = await context.store.list({ type: namespacedType, namespace: name });
      for (const item of items) {
        await context.store
          .remove({ type: namespacedType, namespace: name, name: item.metadata!.name! })
          .catch(() => undefined);
      }
    }
  }
  if (options.propagationPolicy !== 'Orphan') {
    void deleteDependents({ context, ownerUid: metadata.uid!, namespace });
  }
  return deleted;
}

async function deleteDependents(options: {
  context: ApiContext;
  ownerUid: string;
  namespace?: string;
}): Promise<void> {
  for (const type of resourceTypes.filter((candidate) => candidate.namespaced)) {
    if (!options.namespace) continue;
    try {
      const { items } = await options.context.store.list({ type, namespace: options.namespace });
      for (const item of items) {
        if (!item.metadata?.ownerReferences?.some((owner) => owner.uid === options.ownerUid)) continue;
        await deleteObject({
          context: options.context,
          type,
          namespace: options.namespace,
          name: item.metadata.name!,
        }).catch(() => undefined);
      }
    } catch {
      // Garbage collection is best effort, as in the real controller; the next delete retries it.
    }
  }
}
