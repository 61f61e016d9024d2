import { describe, expect, it } from 'vitest';
import { parseApiPath } from './parse-api-path.js';

describe('parseApiPath', () => {
  it('routes core, named-group, namespaced and cluster-scoped paths', () => {
    expect(parseApiPath('/api/v1/namespaces/user1/pods/kube-etcd-0/exec')).toMatchObject({
      kind: 'resource',
      type: { resource: 'pods' },
      namespace: 'user1',
      name: 'kube-etcd-0',
      subresource: 'exec',
    });
    expect(parseApiPath('/apis/apps/v1/namespaces/user1/statefulsets/kube-etcd/scale')).toMatchObject({
      type: { group: 'apps', resource: 'statefulsets' },
      subresource: 'scale',
    });
    expect(parseApiPath('/api/v1/nodes/node1')).toMatchObject({ type: { resource: 'nodes' }, name: 'node1' });
    expect(parseApiPath('/api/v1/namespaces/user1')).toMatchObject({
      type: { resource: 'namespaces' },
      name: 'user1',
    });
    expect(parseApiPath('/api/v1/namespaces/user1/status')).toMatchObject({
      type: { resource: 'namespaces' },
      name: 'user1',
      subresource: 'status',
    });
    const allPods = parseApiPath('/api/v1/pods');
    expect(allPods).toMatchObject({ kind: 'resource', type: { resource: 'pods' } });
    expect(allPods.kind === 'resource' && (allPods.namespace ?? allPods.name)).toBeUndefined();
    expect(
      parseApiPath('/apis/onprem.cluster.gke.io/v1alpha1/namespaces/kube-system/onpremuserclusters'),
    ).toMatchObject({
      type: { kind: 'OnPremUserCluster' },
      namespace: 'kube-system',
    });
  });

  it('separates discovery, unknown resources and foreign paths', () => {
    expect(parseApiPath('/api')).toEqual({ kind: 'discovery', group: '' });
    expect(parseApiPath('/apis/apps/v1')).toEqual({ kind: 'discovery', group: 'apps', version: 'v1' });
    expect(parseApiPath('/api/v1/namespaces/x/widgets')).toEqual({
      kind: 'unknownResource',
      group: '',
      version: 'v1',
      resource: 'widgets',
    });
    expect(parseApiPath('/metrics')).toEqual({ kind: 'none' });
  });
});
