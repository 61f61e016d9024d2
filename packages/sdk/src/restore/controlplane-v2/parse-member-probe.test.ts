import { describe, expect, it } from 'vitest';
import { parseMemberProbe } from './parse-member-probe.js';

describe('parseMemberProbe', () => {
  it('reads uint64 IDs exactly and the revision', () => {
    const output = `https://10.0.0.5:2379 is healthy: successfully committed proposal: took = 1.9ms
[{"Endpoint":"https://10.0.0.5:2379","Status":{"header":{"cluster_id":17237436991929493444,"member_id":9372538179322589801,"revision":4250,"raft_term":2},"version":"3.4.23","dbSize":2097152,"leader":9372538179322589801,"raftIndex":12,"raftTerm":2,"raftAppliedIndex":12,"dbSizeInUse":1044480}}]`;
    expect(parseMemberProbe({ output })).toEqual({
      healthy: true,
      clusterId: '17237436991929493444',
      memberId: '9372538179322589801',
      leader: '9372538179322589801',
      revision: 4250,
    });
  });

  it('says unhealthy, or nothing when the member did not answer', () => {
    expect(
      parseMemberProbe({
        output:
          'https://10.0.0.5:2379 is unhealthy: failed to commit proposal: context deadline exceeded\n[{"Status":{"header":{"cluster_id":1,"member_id":2,"revision":3},"leader":0}}]',
      }),
    ).toMatchObject({ healthy: false, leader: '0' });
    expect(parseMemberProbe({ output: 'Error: context deadline exceeded' })).toBeUndefined();
  });
});
