import { summarizeRegistryKeys } from '@etcd-dr/sdk';
import { describe, expect, it } from 'vitest';
import { compareInventories, summarizeInventoryDiff } from './compare-inventories.js';

const bundleKeys = [
  '/registry/configmaps/default/a',
  '/registry/configmaps/default/b',
  '/registry/configmaps/kube-system/c',
  '/registry/namespaces/default',
  '/registry/namespaces/kube-system',
  '/registry/example.com/widgets/default/w',
  'compact_rev_key',
];

describe('compareInventories', () => {
  it('finds nothing when the inventories are the same', () => {
    const summary = summarizeRegistryKeys({ keys: bundleKeys });
    expect(compareInventories({ bundle: summary, live: summary })).toEqual([]);
    expect(summarizeInventoryDiff([])).toBe('the live keys match the bundle per resource and namespace');
  });

  it('lists objects created after the backup and objects lost, per resource and namespace, sorted', () => {
    const live = [
      ...bundleKeys.filter(
        (key) => key !== '/registry/configmaps/kube-system/c' && key !== 'compact_rev_key',
      ),
      '/registry/configmaps/default/created-after',
      '/registry/namespaces/team-a',
      '/registry/secrets/team-a/token',
    ];
    const rows = compareInventories({
      bundle: summarizeRegistryKeys({ keys: bundleKeys }),
      live: summarizeRegistryKeys({ keys: live }),
    });
    expect(rows).toEqual([
      { resource: '(other)', bundle: 1, live: 0 },
      { resource: 'configmaps', namespace: 'default', bundle: 2, live: 3 },
      { resource: 'configmaps', namespace: 'kube-system', bundle: 1, live: 0 },
      { resource: 'namespaces', bundle: 2, live: 3 },
      { resource: 'secrets', namespace: 'team-a', bundle: 0, live: 1 },
    ]);
    expect(summarizeInventoryDiff(rows)).toBe(
      '5 resource/namespace row(s) differ: 2 key(s) in the bundle but not live, 3 live key(s) not in the bundle',
    );
  });

  it('lists every row, cluster-scoped before namespaced, with includeEqual', () => {
    const summary = summarizeRegistryKeys({ keys: [...bundleKeys, '/registry/configmaps/a-ns/x'] });
    const rows = compareInventories({ bundle: summary, live: summary, includeEqual: true });
    expect(rows.map((row) => `${row.resource}/${row.namespace ?? '-'}`)).toEqual([
      '(other)/-',
      'configmaps/a-ns',
      'configmaps/default',
      'configmaps/kube-system',
      'example.com/widgets/default',
      'namespaces/-',
    ]);
  });
});
