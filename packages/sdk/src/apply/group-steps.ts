import type { PlanStep } from '../plan/plan-step.js';

/**
 * Pure: splits ordered steps into batches that run one after the other; adjacent steps sharing a
 * `parallelGroup` form one batch (run concurrently), every other step is a batch of its own.
 */
export function groupSteps<Step extends PlanStep>(steps: Step[]): Step[][] {
  const batches: Step[][] = [];
  for (const step of steps) {
    const last = batches.at(-1);
    if (last && step.parallelGroup !== undefined && last[0]!.parallelGroup === step.parallelGroup) {
      last.push(step);
    } else {
      batches.push([step]);
    }
  }
  return batches;
}
