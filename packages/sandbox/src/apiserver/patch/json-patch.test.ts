import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';

describe('JSON patch (RFC 6902) and merge patch (RFC 7386)', () => {
  it('applies add, remove, replace, move, copy and test without touching the input', () => {
    const document = { spec: { replicas: 1, list: ['a', 'b'] }, metadata: { name: 'x' } };
    const result = applyJsonPatch({
      document,
      operations: [
        { op: 'test', path: '/metadata/name', value: 'x' },
        { op: 'replace', path: '/spec/replicas', value: 0 },
        { op: 'add', path: '/spec/list/-', value: 'c' },
        { op: 'remove', path: '/spec/list/0' },
        { op: 'copy', from: '/metadata/name', path: '/metadata/alias' },
        { op: 'move', from: '/metadata/alias', path: '/metadata/label~1escaped' },
      ],
    });
    expect(result).toEqual({
      spec: { replicas: 0, list: ['b', 'c'] },
      metadata: { name: 'x', 'label/escaped': 'x' },
    });
    expect(document.spec.replicas).toBe(1);
  });

  it('fails a failed test or a missing path with a 422 Status', () => {
    expect(() =>
      applyJsonPatch({ document: { a: 1 }, operations: [{ op: 'test', path: '/a', value: 2 }] }),
    ).toThrowError(/test failed/);
    expect(() =>
      applyJsonPatch({ document: { a: 1 }, operations: [{ op: 'remove', path: '/b' }] }),
    ).toThrowError(/missing path/);
  });

  it('merge patch: null deletes, objects merge, lists replace', () => {
    expect(
      applyMergePatch({
        document: { a: { b: 1, c: 2 }, l: [1, 2] },
        patch: { a: { b: null, d: 3 }, l: [3] },
      }),
    ).toEqual({
      a: { c: 2, d: 3 },
      l: [3],
    });
  });
});
