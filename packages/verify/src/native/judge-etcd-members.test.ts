import { describe, expect, it } from 'vitest';
import { type EtcdMemberProbe, judgeEtcdMembers } from './judge-etcd-members.js';

const clusterId = '1397263473311939203'; // 0x136413b9d862fa83
const leader = '11';

function member(pod: string, memberId: string, revision: number, overrides: Partial<EtcdMemberProbe> = {}) {
  return {
    pod,
    health: { endpoint: 'https://127.0.0.1:2379', healthy: true },
    status: {
      endpoint: 'https://127.0.0.1:2379',
      clusterId,
      memberId,
      leader,
      revision,
      raftIndex: revision + 3,
      version: '3.4.23',
    },
    ...overrides,
  } satisfies EtcdMemberProbe;
}

describe('judgeEtcdMembers', () => {
  it('passes three healthy members with one cluster ID within the revision window', () => {
    const judged = judgeEtcdMembers({
      probes: [
        member('kube-etcd-0', '11', 100),
        member('kube-etcd-1', '12', 98),
        member('kube-etcd-2', '13', 100),
      ],
      expectedMembers: 3,
    });
    expect(judged.healthy).toEqual({
      name: 'etcd-members-healthy',
      outcome: 'passed',
      reasons: ['3 of 3 member(s) healthy'],
    });
    expect(judged.agree).toEqual({
      name: 'etcd-members-agree',
      outcome: 'passed',
      reasons: ['cluster ID 136413b9d862fa83, revisions 98..100 across 3 member(s)'],
    });
    expect(judged.members.map((state) => [state.pod, state.isLeader, state.memberId])).toEqual([
      ['kube-etcd-0', true, 'b'],
      ['kube-etcd-1', false, 'c'],
      ['kube-etcd-2', false, 'd'],
    ]);
  });

  it('fails agreement when members disagree on the cluster ID, naming each', () => {
    const split = member('etcd-cp3', '13', 5);
    split.status.clusterId = '255';
    const judged = judgeEtcdMembers({ probes: [member('etcd-cp1', '11', 5), split] });
    expect(judged.healthy.outcome).toBe('passed');
    expect(judged.agree).toEqual({
      name: 'etcd-members-agree',
      outcome: 'failed',
      reasons: ['members disagree on the cluster ID: etcd-cp1 136413b9d862fa83, etcd-cp3 ff'],
    });
  });

  it('fails agreement beyond the revision window and passes at its edge', () => {
    const probes = [member('a', '11', 100), member('b', '12', 111)];
    expect(judgeEtcdMembers({ probes }).agree.reasons).toEqual([
      'revisions are 11 apart (more than 10): a 100, b 111',
    ]);
    expect(judgeEtcdMembers({ probes, maxRevisionLag: 11 }).agree.outcome).toBe('passed');
    expect(judgeEtcdMembers({ probes: [member('a', '11', 100), member('b', '12', 110)] }).agree.outcome).toBe(
      'passed',
    );
  });

  it('names a member without a leader', () => {
    const lonely = member('b', '12', 7);
    lonely.status.leader = '0';
    expect(judgeEtcdMembers({ probes: [member('a', '11', 7), lonely] }).agree.reasons).toEqual([
      'member(s) without a leader: b',
    ]);
  });

  it('fails health for a member that cannot be asked, says it is unhealthy, or is missing', () => {
    const judged = judgeEtcdMembers({
      probes: [
        { pod: 'kube-etcd-0', failure: 'cannot exec etcdctl in container kube-etcd: container not found' },
        {
          pod: 'kube-etcd-1',
          health: { endpoint: 'https://127.0.0.1:2379', healthy: false, error: 'context deadline exceeded' },
        },
      ],
      expectedMembers: 3,
    });
    expect(judged.healthy).toEqual({
      name: 'etcd-members-healthy',
      outcome: 'failed',
      reasons: [
        '0 of 3 member(s) healthy',
        '2 etcd member pod(s) found, 3 expected',
        'kube-etcd-0: cannot exec etcdctl in container kube-etcd: container not found',
        'kube-etcd-1: unhealthy: context deadline exceeded',
      ],
    });
    expect(judged.agree).toEqual({
      name: 'etcd-members-agree',
      outcome: 'failed',
      reasons: ['no etcd member answered `etcdctl endpoint status`'],
    });
    expect(judged.members.every((state) => !state.healthy)).toBe(true);
  });

  it('fails health when there is no member at all', () => {
    const judged = judgeEtcdMembers({ probes: [], expectedMembers: 1 });
    expect(judged.healthy.outcome).toBe('failed');
    expect(judged.healthy.reasons).toContain('0 etcd member pod(s) found, 1 expected');
  });
});
