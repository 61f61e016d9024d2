import { describe, expect, it } from 'vitest';
import { parseEtcdEndpointHealth, parseEtcdEndpointStatus } from './parse-etcd-endpoint-output.js';

// Printed by Debian's etcdctl 3.4.23 against a one-member etcd.
const statusText =
  '[{"Endpoint":"http://127.0.0.1:33911","Status":{"header":{"cluster_id":9478124513508988954,"member_id":17336685992955282055,"revision":1,"raft_term":2},"version":"3.4.23","dbSize":24576,"leader":17336685992955282055,"raftIndex":4,"raftTerm":2,"raftAppliedIndex":4,"dbSizeInUse":16384}}]\n';

describe('parseEtcdEndpointStatus', () => {
  it('keeps uint64 IDs exactly, which JSON numbers would round', () => {
    expect(parseEtcdEndpointStatus({ text: statusText })).toEqual([
      {
        endpoint: 'http://127.0.0.1:33911',
        clusterId: '9478124513508988954',
        memberId: '17336685992955282055',
        leader: '17336685992955282055',
        raftIndex: 4,
        raftTerm: 2,
        revision: 1,
        version: '3.4.23',
      },
    ]);
  });

  it('gives nothing for the output of a failed call or garbage', () => {
    expect(parseEtcdEndpointStatus({ text: '[]\n' })).toEqual([]);
    expect(parseEtcdEndpointStatus({ text: 'Error: context deadline exceeded' })).toEqual([]);
  });
});

describe('parseEtcdEndpointHealth', () => {
  it('reads healthy and unhealthy endpoints', () => {
    expect(
      parseEtcdEndpointHealth({
        text: '[{"endpoint":"https://127.0.0.1:2379","health":true,"took":"2.6ms"}]',
      }),
    ).toEqual([{ endpoint: 'https://127.0.0.1:2379', healthy: true }]);
    expect(
      parseEtcdEndpointHealth({
        text: '[{"endpoint":"https://127.0.0.1:2379","health":false,"took":"2s","error":"context deadline exceeded"}]\nError: unhealthy cluster',
      }),
    ).toEqual([{ endpoint: 'https://127.0.0.1:2379', healthy: false, error: 'context deadline exceeded' }]);
    expect(parseEtcdEndpointHealth({ text: 'not json' })).toEqual([]);
  });
});
