import type { ClusterVerification } from '@etcd-dr/verify';
import { describe, expect, it } from 'vitest';
import { formatVerification } from './format-verification.js';

const base: ClusterVerification = {
  cluster: { name: 'user-1', topology: 'kubeception', ha: false },
  healthy: true,
  verdict: 'healthy',
  checks: [
    { name: 'etcd-members-healthy', outcome: 'passed', reasons: ['1 of 1 member(s) healthy'] },
    { name: 'user-api-answers', outcome: 'failed', reasons: ['connection refused', 'second reason'] },
    { name: 'gkectl-diagnose', outcome: 'skipped', reasons: ['gkectl is not in PATH'] },
  ],
  members: [
    {
      pod: 'kube-etcd-0',
      healthy: true,
      isLeader: true,
      revision: 10,
      raftIndex: 13,
      version: '3.4.23',
      clusterId: 'a',
      memberId: 'b',
    },
    { pod: 'kube-etcd-1', healthy: false, problem: 'cannot exec etcdctl' },
  ],
  warnings: ['bundle b is a backup of cluster other, not user-1'],
  gkectl: { status: 'skipped', reason: 'gkectl is not in PATH' },
  durationMs: 5,
};

describe('formatVerification', () => {
  it('prints the verdict, every check with all its reasons, members and warnings', () => {
    expect(formatVerification({ ...base, healthy: false, verdict: 'unhealthy' })).toBe(
      [
        'user-1 (kubeception, non-HA): UNHEALTHY',
        '  PASS  etcd-members-healthy  1 of 1 member(s) healthy',
        '  FAIL  user-api-answers      connection refused',
        '                              second reason',
        '  SKIP  gkectl-diagnose       gkectl is not in PATH',
        'etcd members:',
        '  kube-etcd-0  healthy  leader  revision 10  raft index 13  etcd 3.4.23',
        '  kube-etcd-1  UNHEALTHY  cannot exec etcdctl',
        'warning: bundle b is a backup of cluster other, not user-1',
        '',
      ].join('\n'),
    );
  });

  it('prints the inventory diff as an aligned table, or says it matches', () => {
    const inventory = {
      bundlePath: '/b',
      bundleCluster: 'user-1',
      bundleRevision: 9,
      bundleKeys: 20,
      liveKeys: 21,
      livePod: 'kube-etcd-0',
      diff: [
        { resource: 'configmaps', namespace: 'default', bundle: 3, live: 4 },
        { resource: 'namespaces', bundle: 2, live: 2 },
      ],
    };
    const text = formatVerification({ ...base, warnings: [], inventory });
    expect(text).toContain(
      [
        'inventory: bundle /b (cluster user-1, revision 9, 20 keys) vs live (21 keys, read from kube-etcd-0):',
        '  resource    namespace  bundle  live  change',
        '  configmaps  default    3       4     +1',
        '  namespaces  (cluster)  2       2     0',
      ].join('\n'),
    );
    expect(formatVerification({ ...base, inventory: { ...inventory, diff: [] } })).toContain(
      '  the live keys match the bundle per resource and namespace',
    );
  });
});
