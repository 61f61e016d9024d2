import { findResourceTypeByKind, type ResourceType } from '../apiserver/resource-types.js';
import type { KubeObject, ObjectStore } from '../apiserver/storage/object-store.js';
import { SandboxError } from '../runtime/sandbox-error.js';

/** The resource type of an object from its apiVersion and kind. */
export function resourceTypeOf(object: { apiVersion: string; kind: string }): ResourceType {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0]! : '';
  const type = findResourceTypeByKind({ group, kind: object.kind });
  if (!type) {
    throw new SandboxError({
      code: 'SANDBOX_POD_INVALID',
      message: `the lab's API server has no kind ${object.kind} in ${object.apiVersion}`,
      remedy: 'this is a bug in the lab topology',
    });
  }
  return type;
}

/** Creates objects in order, then writes the status of those that carry one (nodes), as their controllers would. */
export async function storeObjects(options: {
  store: ObjectStore;
  objects: Array<
    { apiVersion: string; kind: string; metadata: Record<string, unknown> } & Record<string, unknown>
  >;
}): Promise<void> {
  for (const object of options.objects) {
    const type = resourceTypeOf(object);
    const namespace = object.metadata.namespace as string | undefined;
    const created = await options.store.create({
      type,
      ...(namespace ? { namespace } : {}),
      object: object as KubeObject,
    });
    if (object.status !== undefined) {
      await options.store.update({
        type,
        ...(namespace ? { namespace } : {}),
        name: created.metadata!.name!,
        object: { ...created, status: object.status as KubeObject['status'] },
        subresource: 'status',
      });
    }
  }
}

/** A Ready node object, as a kubelet would report it. */
export function readyNode(options: {
  name: string;
  ip: string;
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: 'NoSchedule' | 'NoExecute' | 'PreferNoSchedule' }>;
}) {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: options.name, labels: { 'kubernetes.io/hostname': options.name, ...options.labels } },
    spec: options.taints ? { taints: options.taints } : {},
    status: {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ],
      addresses: [
        { type: 'InternalIP', address: options.ip },
        { type: 'Hostname', address: options.name },
      ],
      nodeInfo: { kubeletVersion: 'v1.28.9-gke.400', containerRuntimeVersion: 'containerd://1.6.28' },
    },
  };
}
