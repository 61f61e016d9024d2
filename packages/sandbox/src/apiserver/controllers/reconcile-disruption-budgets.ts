import type { ApiContext } from '../api-context.js';
import { ApiStatusError } from '../api-status-error.js';
import type { LooseObject } from '../loose-object.js';
import { findResourceType } from '../resource-types.js';
import { labelSelectorFromObject, matchesLabelSelector } from '../selectors/label-selector.js';
import type { KubeObject } from '../storage/object-store.js';
import { isPodReady, isTerminating } from './pod-helpers.js';

const podType = findResourceType({ group: '', version: 'v1', resource: 'pods' })!;
const budgetType = findResourceType({ group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' })!;

function resolve(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'string' && value.endsWith('%')) {
    const share = (Number(value.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(share) : Math.floor(share);
  }
  return Number(value ?? 0);
}

/** The status the disruption controller computes for one PDB over the pods it selects (pure). */
export function disruptionBudgetStatus(options: { budget: KubeObject; pods: KubeObject[] }): LooseObject {
  const spec = (options.budget.spec ?? {}) as LooseObject;
  const selector = labelSelectorFromObject(spec.selector ?? {});
  const selected = options.pods.filter(
    (pod) =>
      pod.metadata?.namespace === options.budget.metadata?.namespace &&
      !isTerminating(pod) &&
      matchesLabelSelector({ selector, labels: pod.metadata?.labels }),
  );
  const expectedPods = selected.length;
  const currentHealthy = selected.filter(isPodReady).length;
  const desiredHealthy =
    spec.minAvailable !== undefined
      ? resolve(spec.minAvailable, expectedPods, true)
      : Math.max(0, expectedPods - resolve(spec.maxUnavailable ?? 0, expectedPods, true));
  return {
    observedGeneration: options.budget.metadata?.generation ?? 1,
    disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy),
    currentHealthy,
    desiredHealthy,
    expectedPods,
  };
}

/** One pass of the disruption controller: every PDB's status from the pods it selects. */
export async function reconcileDisruptionBudgets(options: { context: ApiContext }): Promise<void> {
  const { context } = options;
  const [{ items: budgets }, { items: pods }] = await Promise.all([
    context.store.list({ type: budgetType }),
    context.store.list({ type: podType }),
  ]);
  for (const budget of budgets) {
    const previous = (budget.status ?? {}) as LooseObject;
    const computed = disruptionBudgetStatus({ budget, pods });
    const status = { ...previous, ...computed };
    if (JSON.stringify(status) === JSON.stringify(budget.status)) continue;
    await context.store
      .update({
        type: budgetType,
        namespace: budget.metadata!.namespace!,
        name: budget.metadata!.name!,
        object: { ...budget, status },
        subresource: 'status',
      })
      .catch((error) => {
        if (!(error instanceof ApiStatusError && ['NotFound', 'Conflict'].includes(error.reason)))
          throw error;
      });
  }
}
