import { ApiStatusError } from '../api-status-error.js';
import type { KubeObject } from '../storage/object-store.js';
import type { ResourceRequest } from './resource-request.js';

/**
 * Read-modify-write of one object. Without a client-chosen resourceVersion a lost race is retried (up to 5
 * times) as the real server does for patches; with one, the 409 Conflict goes back to the client.
 */
export async function replaceWithRetry(
  target: ResourceRequest,
  change: (current: KubeObject) => KubeObject,
  subresource?: 'status',
): Promise<KubeObject> {
  const { context, type, namespace, name } = target;
  for (let attempt = 0; ; attempt++) {
    const current = await context.store.get({ type, namespace, name: name! });
    const next = change(current);
    const pinned = next.metadata?.resourceVersion !== current.metadata?.resourceVersion;
    try {
      return await context.store.update({
        type,
        namespace,
        name: name!,
        object: {
          ...next,
          metadata: {
            ...next.metadata,
            resourceVersion: pinned ? next.metadata?.resourceVersion : current.metadata?.resourceVersion,
          },
        },
        subresource,
      });
    } catch (error) {
      // Without a client-chosen resourceVersion the server retries a lost race itself, as the real one does.
      if (!(error instanceof ApiStatusError) || error.reason !== 'Conflict' || pinned || attempt >= 4)
        throw error;
    }
  }
}
