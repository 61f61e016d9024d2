import type { ApiContext } from '../api-context.js';
import { ApiStatusError } from '../api-status-error.js';
import type { LooseObject } from '../loose-object.js';
import { findResourceType } from '../resource-types.js';
import { deleteObject } from '../rest/delete-object.js';
import { type KubeObject, randomNameSuffix } from '../storage/object-store.js';
import {
  controllerReference,
  isOwnedBy,
  isPodReady,
  isTerminating,
  nowTimestamp,
  templateHash,
} from './pod-helpers.js';

const podType = findResourceType({ group: '', version: 'v1', resource: 'pods' })!;
const deploymentType = findResourceType({ group: 'apps', version: 'v1', resource: 'deployments' })!;

function ignoreRaces(error: unknown): void {
  if (error instanceof ApiStatusError && ['AlreadyExists', 'NotFound', 'Conflict'].includes(error.reason))
    return;
  throw error;
}

async function reconcileOne(options: {
  context: ApiContext;
  deployment: KubeObject;
  pods: KubeObject[];
}): Promise<void> {
  const { context, deployment } = options;
  const namespace = deployment.metadata!.namespace!;
  const name = deployment.metadata!.name!;
  const spec = deployment.spec as LooseObject;
  const replicas: number = spec.replicas ?? 1;
  const hash = templateHash(spec.template);
  const owned = options.pods.filter(
    (pod) => pod.metadata?.namespace === namespace && isOwnedBy(pod, deployment),
  );
  const live = owned.filter((pod) => !isTerminating(pod));
  const current = live.filter((pod) => pod.metadata?.labels?.['pod-template-hash'] === hash);
  const stale = live.filter((pod) => pod.metadata?.labels?.['pod-template-hash'] !== hash);

  for (const pod of stale) {
    await deleteObject({ context, type: podType, namespace, name: pod.metadata!.name! }).catch(ignoreRaces);
  }
  const newestFirst = [...current].sort((left, right) =>
    String(right.metadata?.creationTimestamp).localeCompare(String(left.metadata?.creationTimestamp)),
  );
  for (const pod of newestFirst.slice(0, Math.max(0, current.length - replicas))) {
    await deleteObject({ context, type: podType, namespace, name: pod.metadata!.name! }).catch(ignoreRaces);
  }
  const template = (spec.template ?? {}) as LooseObject;
  for (let count = current.length; count < replicas; count++) {
    await context.store
      .create({
        type: podType,
        namespace,
        object: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${name}-${hash.slice(0, 10)}-${randomNameSuffix()}`,
            namespace,
            labels: { ...template.metadata?.labels, 'pod-template-hash': hash },
            ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
            ownerReferences: [controllerReference(deployment)],
          },
          spec: structuredClone(template.spec ?? {}),
        },
      })
      .catch(ignoreRaces);
  }

  const kept = current.slice(0, replicas);
  const ready = kept.filter(isPodReady).length;
  const previous = (deployment.status ?? {}) as LooseObject;
  const available = ready >= replicas;
  const condition = (type: string, status: boolean, reason: string, message: string): LooseObject => {
    const old = ((previous.conditions ?? []) as LooseObject[]).find((candidate) => candidate.type === type);
    const value = status ? 'True' : 'False';
    const unchanged = old?.status === value && old?.reason === reason;
    return {
      type,
      status: value,
      lastUpdateTime: unchanged ? old.lastUpdateTime : nowTimestamp(),
      lastTransitionTime: unchanged ? old.lastTransitionTime : nowTimestamp(),
      reason,
      message,
    };
  };
  const status: LooseObject = {
    observedGeneration: deployment.metadata?.generation ?? 1,
    replicas: live.length,
    updatedReplicas: current.length,
    readyReplicas: ready,
    availableReplicas: ready,
    ...(live.length - ready > 0 ? { unavailableReplicas: live.length - ready } : {}),
    conditions: [
      condition(
        'Available',
        available,
        available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        available ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
      ),
      condition(
        'Progressing',
        true,
        'NewReplicaSetAvailable',
        `ReplicaSet "${name}-${hash.slice(0, 10)}" has successfully progressed.`,
      ),
    ],
  };
  if (JSON.stringify(status) !== JSON.stringify(deployment.status)) {
    await context.store
      .update({
        type: deploymentType,
        namespace,
        name,
        object: { ...deployment, status },
        subresource: 'status',
      })
      .catch(ignoreRaces);
  }
}

/**
 * One pass of the Deployment controller: pods `NAME-HASH-XXXXX` labelled with `pod-template-hash`, owned
 * by the Deployment (no ReplicaSets in the lab); pods of an older template are replaced, the count follows
 * `spec.replicas`, and the status counts and conditions are written back.
 */
export async function reconcileDeployments(options: { context: ApiContext }): Promise<void> {
  const { context } = options;
  const [{ items: deployments }, { items: pods }] = await Promise.all([
    context.store.list({ type: deploymentType }),
    context.store.list({ type: podType }),
  ]);
  for (const deployment of deployments) {
    if (isTerminating(deployment)) continue;
    await reconcileOne({ context, deployment, pods });
  }
}
