import { describe, expect, it } from 'vitest';
import { describePodProblem } from './describe-pod-problem.js';

describe('describePodProblem', () => {
  it('says nothing for a Ready pod and why for a pod that is not', () => {
    expect(
      describePodProblem({
        pod: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
      }),
    ).toBeUndefined();
    expect(
      describePodProblem({
        pod: {
          status: {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: 'False' }],
            containerStatuses: [
              {
                name: 'kube-etcd',
                ready: false,
                restartCount: 3,
                state: { waiting: { reason: 'CrashLoopBackOff' } },
              },
            ],
          },
        },
      }),
    ).toBe('not Ready: phase Running, container kube-etcd CrashLoopBackOff, 3 restarts');
    expect(
      describePodProblem({
        pod: {
          metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' },
          status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
        },
      }),
    ).toBe('not Ready: phase Running, being deleted');
  });
});
