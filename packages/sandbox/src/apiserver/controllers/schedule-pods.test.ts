import { describe, expect, it } from 'vitest';
import { chooseNode } from './schedule-pods.js';

const node = (name: string, ready = true, labels: Record<string, string> = {}) => ({
  metadata: { name, labels },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('chooseNode', () => {
  it('honours nodeSelector including kubernetes.io/hostname', () => {
    const nodes = [node('a', true, { zone: 'x' }), node('b', true, { zone: 'y' })];
    const pod = { spec: { nodeSelector: { 'kubernetes.io/hostname': 'b' } } };
    expect(chooseNode({ pod, nodes, pods: [] })).toBe('b');
    expect(chooseNode({ pod: { spec: { nodeSelector: { zone: 'x' } } }, nodes, pods: [] })).toBe('a');
    expect(chooseNode({ pod: { spec: { nodeSelector: { zone: 'z' } } }, nodes, pods: [] })).toBeUndefined();
  });

  it('skips nodes that are not Ready and prefers the least loaded', () => {
    const nodes = [node('a'), node('b'), node('c', false)];
    const pods = [{ spec: { nodeName: 'a' } }];
    expect(chooseNode({ pod: { spec: {} }, nodes, pods })).toBe('b');
    expect(
      chooseNode({ pod: { spec: { nodeSelector: { 'kubernetes.io/hostname': 'c' } } }, nodes, pods }),
    ).toBeUndefined();
  });

  it('keeps pods off tainted nodes unless they tolerate the taint', () => {
    const tainted = {
      ...node('control-plane'),
      spec: { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] },
    };
    const nodes = [tainted, node('worker')];
    const busyWorker = [{ spec: { nodeName: 'worker' } }];
    expect(chooseNode({ pod: { spec: {} }, nodes, pods: busyWorker })).toBe('worker');
    const tolerating = {
      spec: {
        tolerations: [
          { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
        ],
      },
    };
    expect(chooseNode({ pod: tolerating, nodes, pods: busyWorker })).toBe('control-plane');
  });

  it('sends a pod to the node its claim is bound to, as local volumes do', () => {
    const nodes = [node('a'), node('b')];
    const claim = (name: string, selected?: string) => ({
      metadata: {
        name,
        namespace: 'ns',
        ...(selected ? { annotations: { 'volume.kubernetes.io/selected-node': selected } } : {}),
      },
    });
    const pod = {
      metadata: { namespace: 'ns' },
      spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-0' } }] },
    };
    const loadOnB = [{ spec: { nodeName: 'b' } }, { spec: { nodeName: 'b' } }];
    expect(chooseNode({ pod, nodes, pods: loadOnB, claims: [claim('data-0', 'b')] })).toBe('b');
    expect(chooseNode({ pod, nodes, pods: loadOnB, claims: [claim('data-0')] })).toBe('a');
    expect(chooseNode({ pod, nodes: [node('a')], pods: [], claims: [claim('data-0', 'b')] })).toBeUndefined();
  });
});
