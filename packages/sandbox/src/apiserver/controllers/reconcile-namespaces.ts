import type { ApiContext } from '../api-context.js';
import { ApiStatusError } from '../api-status-error.js';
import { findResourceType, resourceTypes } from '../resource-types.js';
import { deleteObject } from '../rest/delete-object.js';
import { isTerminating } from './pod-helpers.js';

const namespaceType = findResourceType({ group: '', version: 'v1', resource: 'namespaces' })!;

function ignoreRaces(error: unknown): void {
  if (error instanceof ApiStatusError && ['NotFound', 'Conflict'].includes(error.reason)) return;
  throw error;
}

/**
 * One pass of the namespace controller: every Terminating namespace has its content deleted (pods
 * gracefully) and is removed once nothing is left in it.
 */
export async function reconcileNamespaces(options: { context: ApiContext }): Promise<void> {
  const { context } = options;
  const { items: namespaces } = await context.store.list({ type: namespaceType });
  for (const namespace of namespaces.filter(isTerminating)) {
    const name = namespace.metadata!.name!;
    let remaining = 0;
    for (const type of resourceTypes.filter((candidate) => candidate.namespaced)) {
      const { items } = await context.store.list({ type, namespace: name });
      remaining += items.length;
      for (const item of items.filter((object) => !isTerminating(object))) {
        await deleteObject({ context, type, namespace: name, name: item.metadata!.name! }).catch(ignoreRaces);
      }
    }
    if (remaining === 0) {
      await context.store
        .remove({ type: namespaceType, name, preconditionUid: namespace.metadata!.uid })
        .catch(ignoreRaces);
    }
  }
}
