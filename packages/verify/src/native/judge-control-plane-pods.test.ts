import { describe, expect, it } from 'vitest';
import type { ControlPlanePod } from './control-plane-pod.js';
import { judgeControlPlanePods } from './judge-control-plane-pods.js';

const ready = (name: string): ControlPlanePod => ({
  metadata: { name },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
});
const crashing = (name: string): ControlPlanePod => ({
  metadata: { name },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'False' }],
    containerStatuses: [
      {
        name: 'kube-etcd',
        ready: false,
        restartCount: 4,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
      },
    ],
  },
});
const where = 'namespace user-1 of the admin cluster';

describe('judgeControlPlanePods', () => {
  it('passes when every expected pod exists and is Ready', () => {
    expect(
      judgeControlPlanePods({
        pods: [ready('kube-etcd-0'), ready('kube-apiserver-0')],
        expectedNames: ['kube-etcd-0', 'kube-apiserver-0'],
        where,
      }),
    ).toEqual({
      name: 'control-plane-pods-ready',
      outcome: 'passed',
      reasons: ['2 pod(s) Ready in namespace user-1 of the admin cluster'],
    });
  });

  it('names missing pods and pods that are not Ready with their state', () => {
    expect(
      judgeControlPlanePods({
        pods: [crashing('kube-etcd-0'), ready('kube-apiserver-0')],
        expectedNames: ['kube-etcd-0', 'kube-etcd-1', 'kube-apiserver-0'],
        where,
      }).reasons,
    ).toEqual([
      'kube-etcd-1 is missing from namespace user-1 of the admin cluster',
      'kube-etcd-0 is not Ready (CrashLoopBackOff, restarts 4)',
    ]);
  });

  it('fails when there is no control-plane pod at all', () => {
    expect(judgeControlPlanePods({ pods: [], where })).toEqual({
      name: 'control-plane-pods-ready',
      outcome: 'failed',
      reasons: ['no control-plane pod in namespace user-1 of the admin cluster'],
    });
  });
});
