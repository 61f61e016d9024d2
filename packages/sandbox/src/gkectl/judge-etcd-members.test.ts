import { describe, expect, it } from 'vitest';
import { type EtcdMemberProbe, judgeEtcdMembers } from './judge-etcd-members.js';

function member(
  ordinal: number,
  overrides: { clusterId?: string; raftIndex?: number; leader?: string } = {},
): EtcdMemberProbe {
  const endpoint = 'https://127.0.0.1:2379';
  return {
    pod: `kube-etcd-${ordinal}`,
    namespace: 'user-cluster-1',
    health: { endpoint, healthy: true },
    status: {
      endpoint,
      clusterId: overrides.clusterId ?? '9478124513508988954',
      memberId: String(100 + ordinal),
      leader: overrides.leader ?? '100',
      raftIndex: overrides.raftIndex ?? 40,
      raftTerm: 2,
      revision: 10,
      version: '3.4.23',
    },
  };
}

describe('judgeEtcdMembers', () => {
  it('passes members that are healthy, share a cluster ID, see a leader and are close in raft index', () => {
    const judgement = judgeEtcdMembers({ probes: [member(0), member(1, { raftIndex: 45 }), member(2)] });
    expect([judgement.health.status, judgement.agreement.status]).toEqual(['SUCCESS', 'SUCCESS']);
  });

  it('names every member that could not be asked or is unhealthy', () => {
    const judgement = judgeEtcdMembers({
      probes: [
        { pod: 'kube-etcd-0', namespace: 'user-cluster-1', failure: 'container kube-etcd is not running' },
        member(1),
        {
          ...member(2),
          health: { endpoint: 'https://127.0.0.1:2379', healthy: false, error: 'context deadline exceeded' },
        },
      ],
    });
    expect(judgement.health).toEqual({
      name: 'Checking etcd members (health)',
      status: 'FAILURE',
      reasons: ['2 of 3 etcd member(s) unhealthy: kube-etcd-0, kube-etcd-2.'],
      unhealthyResources: [
        'Pod [user-cluster-1/kube-etcd-0]: container kube-etcd is not running',
        'Pod [user-cluster-1/kube-etcd-2]: endpoint https://127.0.0.1:2379 is unhealthy: context deadline exceeded',
      ],
    });
  });

  it('fails agreement on different cluster IDs, a missing leader, or a raft index gap', () => {
    const judgement = judgeEtcdMembers({
      probes: [member(0), member(1, { clusterId: '18446744073709551615', leader: '0', raftIndex: 200 })],
      maxRaftIndexLag: 50,
    });
    expect(judgement.agreement.status).toBe('FAILURE');
    expect(judgement.agreement.reasons).toEqual([
      'etcd members disagree on the cluster ID (2 different IDs).',
      'etcd member(s) without a leader: kube-etcd-1.',
      "etcd members' raft indexes are 160 apart (more than 50).",
    ]);
    expect(judgement.agreement.unhealthyResources).toContain(
      'Pod [user-cluster-1/kube-etcd-1]: cluster ID ffffffffffffffff',
    );
  });

  it('fails agreement when no member answered', () => {
    const judgement = judgeEtcdMembers({
      probes: [{ pod: 'kube-etcd-0', namespace: 'user-cluster-1', failure: 'pod not found' }],
    });
    expect(judgement.agreement.reasons).toEqual(['no etcd member answered endpoint status.']);
  });
});
