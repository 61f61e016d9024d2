import { describe, expect, it } from 'vitest';
import { findResourceType } from './resource-types.js';
import { validateObject, validatePodUpdate } from './validate-object.js';

const pod = {
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'c', image: 'a:1', command: ['sleep', '1'] }], tolerations: [] },
};

describe('validateObject', () => {
  it('requires a StatefulSet selector that matches the template labels', () => {
    const type = findResourceType({ group: 'apps', version: 'v1', resource: 'statefulsets' })!;
    const object = {
      metadata: { name: 's' },
      spec: {
        selector: { matchLabels: { app: 'x' } },
        template: { metadata: { labels: { app: 'y' } }, spec: pod.spec },
      },
    };
    expect(() => validateObject({ type, object })).toThrowError(
      /`selector` does not match template `labels`/,
    );
  });
});

describe('validatePodUpdate', () => {
  it('allows image changes, tolerations and the first binding to a node', () => {
    const next = structuredClone(pod) as typeof pod & { spec: { nodeName?: string } };
    next.spec.containers[0]!.image = 'a:2';
    next.spec.nodeName = 'node1';
    expect(() => validatePodUpdate({ current: pod, next })).not.toThrow();
  });

  it('forbids other spec changes and moving a bound pod, with the real message', () => {
    const next = structuredClone(pod);
    next.spec.containers[0]!.command = ['sleep', '2'];
    expect(() => validatePodUpdate({ current: pod, next })).toThrowError(
      /pod updates may not change fields other than/,
    );
    const bound = { ...pod, spec: { ...pod.spec, nodeName: 'node1' } };
    expect(() =>
      validatePodUpdate({ current: bound, next: { ...pod, spec: { ...pod.spec, nodeName: 'node2' } } }),
    ).toThrowError(/Forbidden/);
  });
});
