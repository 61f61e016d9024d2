import { describe, expect, it } from 'vitest';
import { classifyRegistryKey } from './classify-registry-key.js';
import { summarizeRegistryKeys } from './summarize-registry-keys.js';

describe('classifyRegistryKey', () => {
  it.each([
    ['/registry/pods/default/web-1', 'pods', 'default'],
    ['/registry/namespaces/default', 'namespaces', undefined],
    ['/registry/minions/node-1', 'minions', undefined],
    ['/registry/services/specs/default/kubernetes', 'services', 'default'],
    ['/registry/services/endpoints/kube-system/kube-dns', 'endpoints', 'kube-system'],
    ['/registry/example.com/widgets/team-a/w1', 'example.com/widgets', 'team-a'],
    ['/registry/example.com/clusterwidgets/cw1', 'example.com/clusterwidgets', undefined],
    [
      '/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com',
      'apiextensions.k8s.io/customresourcedefinitions',
      undefined,
    ],
    ['/registry/ranges/serviceips', 'ranges', undefined],
    ['/registry/masterleases', 'masterleases', undefined],
    ['/other/app-key', '(other)', undefined],
    ['registry/pods/default/x', '(other)', undefined],
    ['/registry/', '(other)', undefined],
  ])('%s is %s in %s', (key, resource, namespace) => {
    expect(classifyRegistryKey(key)).toEqual({ resource, namespace });
  });
});

describe('summarizeRegistryKeys', () => {
  it('counts per resource and per namespace, sorted by name', () => {
    const summary = summarizeRegistryKeys({
      keys: [
        '/registry/pods/shop/b',
        '/registry/pods/default/a',
        '/registry/pods/shop/c',
        '/registry/namespaces/shop',
        '/elsewhere',
      ],
    });
    expect(summary).toEqual({
      liveKeys: 5,
      resources: [
        { resource: '(other)', liveKeys: 1, clusterScoped: 1, namespaces: {} },
        { resource: 'namespaces', liveKeys: 1, clusterScoped: 1, namespaces: {} },
        { resource: 'pods', liveKeys: 3, clusterScoped: 0, namespaces: { default: 1, shop: 2 } },
      ],
      namespaces: [
        { namespace: 'default', liveKeys: 1 },
        { namespace: 'shop', liveKeys: 2 },
      ],
    });
  });
});
