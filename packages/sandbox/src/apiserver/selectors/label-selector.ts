import { badRequest } from '../api-status-error.js';

/** One requirement of a label selector. */
export type LabelRequirement =
  | { key: string; operator: 'equals' | 'notEquals'; value: string }
  | { key: string; operator: 'in' | 'notIn'; values: string[] }
  | { key: string; operator: 'exists' | 'doesNotExist' };

/** A parsed label selector: every requirement must hold. */
export type LabelSelector = LabelRequirement[];

const keyPattern = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const character of text) {
    if (character === '(') depth++;
    if (character === ')') depth--;
    if (character === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

function checkKey(key: string, selector: string): string {
  if (!keyPattern.test(key)) {
    throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${selector}"`);
  }
  return key;
}

/**
 * Parses the `labelSelector` query syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`.
 * Throws a 400 `BadRequest` Status for malformed input.
 */
export function parseLabelSelector(text: string): LabelSelector {
  return splitTopLevel(text).map((part): LabelRequirement => {
    const setMatch = /^([^\s!=]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (setMatch) {
      const values = setMatch[3]!
        .split(',')
        .map((value) => value.trim())
        .filter((value) => value !== '');
      return { key: checkKey(setMatch[1]!, text), operator: setMatch[2] === 'in' ? 'in' : 'notIn', values };
    }
    const comparison = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s=!]*)$/.exec(part);
    if (comparison) {
      return {
        key: checkKey(comparison[1]!, text),
        operator: comparison[2] === '!=' ? 'notEquals' : 'equals',
        value: comparison[3]!,
      };
    }
    const absent = /^!\s*([^\s!=]+)$/.exec(part);
    if (absent) return { key: checkKey(absent[1]!, text), operator: 'doesNotExist' };
    if (/^[^\s!=()]+$/.test(part)) return { key: checkKey(part, text), operator: 'exists' };
    throw badRequest(`unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`);
  });
}

/** True when `labels` satisfy every requirement of `selector`. */
export function matchesLabelSelector(options: {
  selector: LabelSelector;
  labels: Record<string, string> | undefined;
}): boolean {
  const labels = options.labels ?? {};
  return options.selector.every((requirement) => {
    const has = Object.hasOwn(labels, requirement.key);
    const value = labels[requirement.key];
    switch (requirement.operator) {
      case 'equals':
        return has && value === requirement.value;
      case 'notEquals':
        return !has || value !== requirement.value;
      case 'in':
        return has && requirement.values.includes(value!);
      case 'notIn':
        return !has || !requirement.values.includes(value!);
      case 'exists':
        return has;
      default:
        return !has;
    }
  });
}

/** Converts a `metav1.LabelSelector` (matchLabels + matchExpressions) into requirements. */
export function labelSelectorFromObject(selector: {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}): LabelSelector {
  const requirements: LabelSelector = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({
    key,
    operator: 'equals',
    value,
  }));
  for (const expression of selector.matchExpressions ?? []) {
    if (expression.operator === 'In') {
      requirements.push({ key: expression.key, operator: 'in', values: expression.values ?? [] });
    } else if (expression.operator === 'NotIn') {
      requirements.push({ key: expression.key, operator: 'notIn', values: expression.values ?? [] });
    } else if (expression.operator === 'Exists') {
      requirements.push({ key: expression.key, operator: 'exists' });
    } else if (expression.operator === 'DoesNotExist') {
      requirements.push({ key: expression.key, operator: 'doesNotExist' });
    }
  }
  return requirements;
}

/** The string form of `matchLabels` (`a=b,c=d`), as the Scale subresource reports it. */
export function formatLabelSelector(selector: LabelSelector): string {
  return selector
    .map((requirement) => {
      switch (requirement.operator) {
        case 'equals':
          return `${requirement.key}=${requirement.value}`;
        case 'notEquals':
          return `${requirement.key}!=${requirement.value}`;
        case 'in':
          return `${requirement.key} in (${requirement.values.join(',')})`;
        case 'notIn':
          return `${requirement.key} notin (${requirement.values.join(',')})`;
        case 'exists':
          return requirement.key;
        default:
          return `!${requirement.key}`;
      }
    })
    .join(',');
}
