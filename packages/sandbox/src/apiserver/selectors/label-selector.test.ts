import { describe, expect, it } from 'vitest';
import {
  formatLabelSelector,
  labelSelectorFromObject,
  matchesLabelSelector,
  parseLabelSelector,
} from './label-selector.js';

const matches = (text: string, labels: Record<string, string>): boolean =>
  matchesLabelSelector({ selector: parseLabelSelector(text), labels });

describe('label selectors', () => {
  it('supports =, ==, !=, in, notin, exists and !key', () => {
    const labels = { component: 'etcd', tier: 'control-plane' };
    expect(matches('component=etcd,tier=control-plane', labels)).toBe(true);
    expect(matches('component==etcd', labels)).toBe(true);
    expect(matches('component!=etcd', labels)).toBe(false);
    expect(matches('missing!=x', labels)).toBe(true);
    expect(matches('component in (etcd, apiserver)', labels)).toBe(true);
    expect(matches('component notin (etcd)', labels)).toBe(false);
    expect(matches('tier', labels)).toBe(true);
    expect(matches('!tier', labels)).toBe(false);
    expect(matches('!absent', labels)).toBe(true);
    expect(matches('', labels)).toBe(true);
  });

  it('rejects malformed selectors with a 400 Status', () => {
    expect(() => parseLabelSelector('a in b')).toThrowError(/unable to parse requirement/);
    expect(() => parseLabelSelector('=x')).toThrowError(/unable to parse requirement/);
    try {
      parseLabelSelector('a b c');
    } catch (error) {
      expect((error as { httpCode: number }).httpCode).toBe(400);
    }
  });

  it('converts metav1.LabelSelector objects and formats them for Scale', () => {
    const selector = labelSelectorFromObject({
      matchLabels: { app: 'etcd' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'x', operator: 'DoesNotExist' },
      ],
    });
    expect(formatLabelSelector(selector)).toBe('app=etcd,tier in (a,b),!x');
    expect(matchesLabelSelector({ selector, labels: { app: 'etcd', tier: 'b' } })).toBe(true);
    expect(matchesLabelSelector({ selector, labels: { app: 'etcd', tier: 'b', x: '1' } })).toBe(false);
  });
});
