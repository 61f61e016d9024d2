import { describe, expect, it } from 'vitest';
import { membersProblem, parseMemberStatus } from './parse-member-status.js';

// As etcdctl 3.4 prints `endpoint status -w json` (one line); the IDs do not fit a double.
const status = (revision: number, clusterId = '17237436991929493444', leader = '10501334649042878790') =>
  `[{"Endpoint":"https://127.0.0.1:2379","Status":{"header":{"cluster_id":${clusterId},"member_id":10501334649042878790,"revision":${revision},"raft_term":2},"version":"3.4.23","dbSize":20480,"leader":${leader},"raftIndex":8,"raftTerm":2,"raftAppliedIndex":8,"dbSizeInUse":16384}}]`;

describe('parseMemberStatus and membersProblem', () => {
  it('reads the revision and keeps uint64 IDs exact', () => {
    expect(parseMemberStatus({ text: `healthy\n${status(77)}`, healthy: true })).toEqual({
      healthy: true,
      revision: 77,
      clusterId: '17237436991929493444',
      memberId: '10501334649042878790',
      leader: '10501334649042878790',
      version: '3.4.23',
    });
  });

  it('says which member is behind, unhealthy, silent or in another cluster', () => {
    const ok = parseMemberStatus({ text: status(100), healthy: true });
    expect(membersProblem({ members: [{ name: 'a', status: ok }], minRevision: 100 })).toBeUndefined();
    expect(
      membersProblem({
        members: [
          { name: 'a', status: ok },
          { name: 'b', status: parseMemberStatus({ text: status(90), healthy: true }) },
          { name: 'c', status: undefined },
          { name: 'd', status: parseMemberStatus({ text: '', healthy: false }) },
        ],
        minRevision: 100,
      }),
    ).toBe('b is at revision 90 < 100, c does not answer, d is not healthy');
    expect(
      membersProblem({
        members: [
          { name: 'a', status: ok },
          { name: 'b', status: parseMemberStatus({ text: status(100, '1'), healthy: true }) },
        ],
        minRevision: 100,
      }),
    ).toMatch(/different cluster IDs/);
    expect(
      membersProblem({
        members: [{ name: 'a', status: parseMemberStatus({ text: status(100, '1', '0'), healthy: true }) }],
        minRevision: 1,
      }),
    ).toBe('a sees no leader');
  });
});
