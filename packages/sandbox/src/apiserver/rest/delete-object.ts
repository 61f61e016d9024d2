import type { ApiContext } from '../api-context.js';
import { conflict } from '../api-status-error.js';
import { nowTimestamp } from '../controllers/pod-helpers.js';
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
 * are deleted in the background unless the policy is `Orphan`; a namespace turns Terminating and the
 * namespace controller empties and removes it.
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
  if (type.group === '' && type.resource === 'namespaces') {
    // The namespace controller empties it and then removes it; until then it is Terminating.
    if (metadata.deletionTimestamp) return existing;
    const marked = await context.store.update({
      type,
      name,
      object: { ...existing, metadata: { ...metadata, deletionTimestamp: nowTimestamp() } },
    });
    return context.store.update({
      type,
      name,
      object: { ...marked, status: { ...(marked.status as object), phase: 'Terminating' } },
      subresource: 'status',
    });
  }
  const deleted = await context.store.remove({ type, namespace, name, preconditionUid: metadata.uid });
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
