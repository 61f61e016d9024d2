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
});
