import { describe, expect, it } from 'vitest';
import { topologyOfOnPremUserCluster } from './detect-topology.js';
import { parseEndpointVersion } from './snapshot-etcd-pod.js';

describe('topologyOfOnPremUserCluster', () => {
  it('reads spec.enableControlplaneV2, defaulting to Kubeception', () => {
    expect(topologyOfOnPremUserCluster({ spec: { enableControlplaneV2: true } })).toBe('controlplane-v2');
    expect(topologyOfOnPremUserCluster({ spec: { enableControlplaneV2: false } })).toBe('kubeception');
    expect(topologyOfOnPremUserCluster({ spec: {} })).toBe('kubeception');
  });
});

describe('parseEndpointVersion', () => {
  it('reads the server version of `etcdctl endpoint status -w json`', () => {
    const text =
      '[{"Endpoint":"https://127.0.0.1:2379","Status":{"header":{"revision":42},"version":"3.4.23","dbSize":20480}}]';
    expect(parseEndpointVersion(text)).toBe('3.4.23');
  });

  it('says unknown for output it cannot read', () => {
    expect(parseEndpointVersion('not json')).toBe('unknown');
    expect(parseEndpointVersion('[]')).toBe('unknown');
  });
});
