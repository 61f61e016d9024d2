import { describe, expect, it } from 'vitest';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

const statefulSet = {
  spec: {
    replicas: 3,
    template: {
      metadata: { annotations: { a: '1' } },
      spec: {
        containers: [
          {
            name: 'etcd',
            image: 'etcd:1',
            ports: [{ containerPort: 2379 }],
            volumeMounts: [{ name: 'data', mountPath: '/var/lib/etcd' }],
          },
          { name: 'side', image: 'side:1' },
        ],
        tolerations: [{ key: 'a' }],
      },
    },
  },
};

describe('strategic merge patch', () => {
  it('merges the rollout restart annotation without touching the rest', () => {
    const result = applyStrategicMergePatch({
      document: statefulSet,
      patch: {
        spec: {
          template: {
            metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } },
          },
        },
      },
    }) as typeof statefulSet;
    expect(result.spec.template.metadata.annotations).toEqual({
      a: '1',
      'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z',
    });
    expect(result.spec.template.spec.containers).toHaveLength(2);
  });

  it('merges containers by name and ports by containerPort, replaces atomic lists, honours directives', () => {
    const result = applyStrategicMergePatch({
      document: statefulSet,
      patch: {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'etcd' }, { name: 'side' }],
              containers: [
                { name: 'etcd', image: 'etcd:2', ports: [{ containerPort: 2380 }] },
                { name: 'side', $patch: 'delete' },
                { name: 'new', image: 'new:1' },
              ],
              tolerations: [{ key: 'b' }],
            },
          },
        },
      },
    }) as {
      spec: { template: { spec: { containers: Array<Record<string, unknown>>; tolerations: unknown[] } } };
    };
    const containers = result.spec.template.spec.containers;
    expect(containers.map((container) => container.name)).toEqual(['etcd', 'new']);
    expect(containers[0]).toMatchObject({
      image: 'etcd:2',
      ports: [{ containerPort: 2379 }, { containerPort: 2380 }],
    });
    expect(containers[0]!.volumeMounts).toEqual([{ name: 'data', mountPath: '/var/lib/etcd' }]);
    expect(result.spec.template.spec.tolerations).toEqual([{ key: 'b' }]);
  });

  it('deletes keys set to null and primitive list entries', () => {
    const result = applyStrategicMergePatch({
      document: { metadata: { finalizers: ['a', 'b'], labels: { x: '1', y: '2' } } },
      patch: { metadata: { labels: { x: null }, '$deleteFromPrimitiveList/finalizers': ['a'] } },
    });
    expect(result).toEqual({ metadata: { finalizers: ['b'], labels: { y: '2' } } });
  });
});
