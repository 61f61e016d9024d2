import { describe, expect, it } from 'vitest';
import type { StaticPodReport } from '../runtime/node/node-agent.js';
import { controlplaneV2NodeNames } from './controlplane-v2-lab.js';
import { nodeStatusLines } from './node-status-lines.js';

function report(name: string, status: StaticPodReport['status']): StaticPodReport {
  return { name, namespace: 'kube-system', status } as StaticPodReport;
}

describe('nodeStatusLines', () => {
  it('prints each node with its address and each static pod with its state, readiness and restarts', () => {
    const lines = nodeStatusLines({
      nodes: [
        {
          name: 'user1-cp1',
          ip: '10.0.0.5',
          role: 'user1 control plane',
          behindJumpHost: true,
          pods: [
            report('etcd-user1-cp1', {
              uid: 'a',
              phase: 'Running',
              containers: [
                {
                  name: 'etcd',
                  state: { waiting: { reason: 'CrashLoopBackOff' } },
                  ready: false,
                  restartCount: 3,
                  started: false,
                },
              ],
            } as unknown as StaticPodReport['status']),
            report('kube-apiserver-user1-cp1', {
              uid: 'b',
              phase: 'Running',
              containers: [
                {
                  name: 'kube-apiserver',
                  state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
                  ready: true,
                  restartCount: 0,
                  started: true,
                },
              ],
            } as unknown as StaticPodReport['status']),
            report('scheduler-user1-cp1', undefined),
          ],
        },
      ],
    });
    expect(lines).toEqual([
      'node user1-cp1 10.0.0.5: user1 control plane, ssh ubuntu@10.0.0.5 via the jump host',
      '  static pod kube-system/etcd-user1-cp1: CrashLoopBackOff, restarts 3',
      '  static pod kube-system/kube-apiserver-user1-cp1: Running, Ready, restarts 0',
      '  static pod kube-system/scheduler-user1-cp1: not started',
    ]);
  });
});

describe('controlplaneV2NodeNames', () => {
  it('names one node USER-cp1 without HA and three USER-cp1..3 with HA', () => {
    expect(controlplaneV2NodeNames({ userClusterName: 'u', ha: false })).toEqual(['u-cp1']);
    expect(controlplaneV2NodeNames({ userClusterName: 'u', ha: true })).toEqual(['u-cp1', 'u-cp2', 'u-cp3']);
  });
});
