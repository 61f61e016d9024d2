import { describe, expect, it } from 'vitest';
import { isSameLabObject, type LabObject, orderForTeardown, parseProcessStartTime } from './lab-object.js';

describe('parseProcessStartTime', () => {
  it('reads field 22 even when the command name holds spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, index) => String(index + 3));
    const stat = `1234 (we ird) name) ${fields.join(' ')}`;
    expect(parseProcessStartTime(stat)).toBe('22');
  });
});

describe('isSameLabObject', () => {
  it('compares processes by pid and start time', () => {
    const first: LabObject = { kind: 'process', pid: 7, startTime: '100', group: true, description: 'a' };
    expect(isSameLabObject(first, { ...first, description: 'b' })).toBe(true);
    expect(isSameLabObject(first, { ...first, startTime: '101' })).toBe(false);
    expect(isSameLabObject({ kind: 'netns', name: 'x' }, { kind: 'link', name: 'x' })).toBe(false);
  });
});

describe('orderForTeardown', () => {
  it('kills processes first, removes links before namespaces and deep paths before shallow ones', () => {
    const objects: LabObject[] = [
      { kind: 'directory', path: '/lab/pods' },
      { kind: 'netns', name: 'edr0001-a' },
      { kind: 'link', name: 'edr0001br' },
      { kind: 'directory', path: '/lab/pods/a/tmp' },
      { kind: 'file', path: '/lab/hosts' },
      { kind: 'mount', path: '/lab/mnt' },
      { kind: 'process', pid: 5, startTime: '1', group: true, description: 'pod' },
    ];
    expect(orderForTeardown(objects).map((object) => ('path' in object ? object.path : object.kind))).toEqual(
      ['process', '/lab/mnt', 'link', 'netns', '/lab/hosts', '/lab/pods/a/tmp', '/lab/pods'],
    );
  });
});
