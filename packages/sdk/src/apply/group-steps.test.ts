import { describe, expect, it } from 'vitest';
import type { PlanStep } from '../plan/plan-step.js';
import { groupSteps } from './group-steps.js';

const step = (id: string, parallelGroup?: string): PlanStep => ({
  id,
  kind: 'test',
  title: id,
  description: id,
  commands: [],
  params: {},
  ...(parallelGroup ? { parallelGroup } : {}),
});

describe('groupSteps', () => {
  it('batches adjacent steps of one parallel group and keeps every other step alone, in order', () => {
    const batches = groupSteps([
      step('a'),
      step('m0', 'members'),
      step('m1', 'members'),
      step('b'),
      step('m2', 'members'),
      step('c', 'other'),
    ]);
    expect(batches.map((batch) => batch.map((entry) => entry.id))).toEqual([
      ['a'],
      ['m0', 'm1'],
      ['b'],
      ['m2'],
      ['c'],
    ]);
  });
});
