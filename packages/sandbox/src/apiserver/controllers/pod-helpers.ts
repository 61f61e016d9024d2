import { createHash } from 'node:crypto';
import type { LooseObject } from '../loose-object.js';
import type { KubeObject } from '../storage/object-store.js';

/** True when the pod's Ready condition is True. */
export function isPodReady(pod: KubeObject): boolean {
  const conditions = ((pod.status as LooseObject | undefined)?.conditions ?? []) as LooseObject[];
  return conditions.some((condition) => condition.type === 'Ready' && condition.status === 'True');
}

/** True when the pod is being deleted. */
export function isTerminating(object: KubeObject): boolean {
  return object.metadata?.deletionTimestamp !== undefined;
}

/** A short stable hash of a pod template, like the controllers' revision hashes. */
export function templateHash(template: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(template ?? {}))
    .digest('hex')
    .slice(0, 10);
}

/** True when `owner` is the controller of `object`. */
export function isOwnedBy(object: KubeObject, owner: KubeObject): boolean {
  return (object.metadata?.ownerReferences ?? []).some((reference) => reference.uid === owner.metadata?.uid);
}

/** The controller ownerReference pointing at `owner`. */
export function controllerReference(owner: KubeObject): {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
} {
  return {
    apiVersion: owner.apiVersion!,
    kind: owner.kind!,
    name: owner.metadata!.name!,
    uid: owner.metadata!.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Current time as the API writes timestamps (seconds precision). */
export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
