import { describe, expect, it } from 'vitest';
import { disruptionBudgetStatus } from './reconcile-disruption-budgets.js';

const pod = (name: string, ready: boolean, app = 'kube-apiserver') => ({
  metadata: { name, namespace: 'user1', labels: { app } },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('disruptionBudgetStatus', () => {
  it('allows maxUnavailable disruptions among healthy selected pods', () => {
    const budget = {
      metadata: { namespace: 'user1', generation: 2 },
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'kube-apiserver' } } },
    };
    const pods = [pod('a', true), pod('b', true), pod('c', true), pod('other', true, 'etcd')];
    expect(disruptionBudgetStatus({ budget, pods })).toEqual({
      observedGeneration: 2,
      disruptionsAllowed: 1,
      currentHealthy: 3,
      desiredHealthy: 2,
      expectedPods: 3,
    });
    expect(
      disruptionBudgetStatus({ budget, pods: [pod('a', true), pod('b', false), pod('c', true)] })
        .disruptionsAllowed,
    ).toBe(0);
  });

  it('resolves percentages of minAvailable by rounding up', () => {
    const budget = {
      metadata: { namespace: 'user1' },
      spec: { minAvailable: '50%', selector: { matchLabels: { app: 'kube-apiserver' } } },
    };
    const status = disruptionBudgetStatus({ budget, pods: [pod('a', true), pod('b', true), pod('c', true)] });
    expect(status).toMatchObject({ desiredHealthy: 2, disruptionsAllowed: 1 });
  });
});
