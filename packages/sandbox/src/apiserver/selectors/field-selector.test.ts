import { describe, expect, it } from 'vitest';
import { matchesFieldSelector, parseFieldSelector } from './field-selector.js';

const pod = {
  metadata: { name: 'kube-etcd-0', namespace: 'user1' },
  spec: { nodeName: 'node1' },
  status: { phase: 'Running' },
};

describe('field selectors', () => {
  it('matches metadata.name, metadata.namespace, spec.nodeName and status.phase on pods', () => {
    const requirements = parseFieldSelector({
      text: 'metadata.name=kube-etcd-0,spec.nodeName==node1,status.phase!=Failed',
      kind: 'Pod',
    });
    expect(matchesFieldSelector({ requirements, object: pod })).toBe(true);
    const other = parseFieldSelector({ text: 'metadata.namespace=default', kind: 'Pod' });
    expect(matchesFieldSelector({ requirements: other, object: pod })).toBe(false);
  });

  it('refuses pod-only fields on other kinds, like the real server', () => {
    expect(() => parseFieldSelector({ text: 'spec.nodeName=node1', kind: 'ConfigMap' })).toThrowError(
      '"spec.nodeName" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
  });
});
