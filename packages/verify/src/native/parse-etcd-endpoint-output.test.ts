import { describe, expect, it } from 'vitest';
import { parseEtcdEndpointHealth, parseEtcdEndpointStatus } from './parse-etcd-endpoint-output.js';

// As etcdctl 3.4.23 prints them (captured from a lab member).
const status =
  '[{"Endpoint":"https://127.0.0.1:2379","Status":{"header":{"cluster_id":1397263473311939203,"member_id":4645269864592341793,"revision":10,"raft_term":2},"version":"3.4.23","dbSize":28672,"leader":4645269864592341793,"raftIndex":13,"raftTerm":2,"raftAppliedIndex":13,"dbSizeInUse":28672}}]';

describe('parseEtcdEndpointStatus', () => {
  it('reads every field and keeps uint64 IDs exact (JSON numbers would round them)', () => {
    expect(parseEtcdEndpointStatus({ text: `${status}\n` })).toEqual([
      {
        endpoint: 'https://127.0.0.1:2379',
        clusterId: '1397263473311939203',
        memberId: '4645269864592341793',
        leader: '4645269864592341793',
        revision: 10,
        raftIndex: 13,
        version: '3.4.23',
      },
    ]);
    expect(String(JSON.parse(status)[0].Status.header.cluster_id)).not.toBe('1397263473311939203');
  });

  it('returns nothing for garbage, an error text, or JSON of another shape', () => {
    for (const text of [
      '',
      'Error: context deadline exceeded',
      '\u0000\u00ffbinary',
      '[{"endpoint":"x","health":true}]',
      '[not json]',
      '{"Endpoint":"x"}',
    ]) {
      expect(parseEtcdEndpointStatus({ text })).toEqual([]);
    }
  });
});

describe('parseEtcdEndpointHealth', () => {
  it('reads healthy and unhealthy endpoints with their error', () => {
    expect(
      parseEtcdEndpointHealth({
        text: '[{"endpoint":"https://127.0.0.1:2379","health":false,"took":"5.0s","error":"context deadline exceeded"}]',
      }),
    ).toEqual([{ endpoint: 'https://127.0.0.1:2379', healthy: false, error: 'context deadline exceeded' }]);
    expect(
      parseEtcdEndpointHealth({
        text: '[{"endpoint":"https://127.0.0.1:2379","health":true,"took":"2.8ms"}]',
      }),
    ).toEqual([{ endpoint: 'https://127.0.0.1:2379', healthy: true }]);
  });

  it('returns nothing for garbage', () => {
    expect(parseEtcdEndpointHealth({ text: 'connection refused' })).toEqual([]);
    expect(parseEtcdEndpointHealth({ text: '[{"endpoint":1,"health":"yes"}]' })).toEqual([]);
  });
});
