import { describe, expect, it } from 'vitest';
import { booleanInput, choiceInput, integerInput, multilineInput, optionalInput } from './input-readers.js';

const inputs =
  (values: Record<string, string>) =>
  (name: string): string =>
    values[name] ?? '';

describe('input readers (the runner passes unset inputs as empty strings)', () => {
  it('treats blank as unset and trims', () => {
    expect(optionalInput(inputs({ a: '   ' }), 'a')).toBeUndefined();
    expect(optionalInput(inputs({ a: ' x \n' }), 'a')).toBe('x');
  });

  it('reads YAML 1.2 booleans and names the input when the value is not one', () => {
    expect(booleanInput(inputs({}), 'flag', false)).toBe(false);
    expect(booleanInput(inputs({ flag: 'True' }), 'flag', false)).toBe(true);
    expect(booleanInput(inputs({ flag: 'FALSE' }), 'flag', true)).toBe(false);
    expect(() => booleanInput(inputs({ flag: 'yes' }), 'flag', false)).toThrow(
      'input flag: "yes" is not a boolean',
    );
  });

  it('reads whole numbers in range only', () => {
    const range = { minimum: 1, maximum: 90 };
    expect(integerInput(inputs({}), 'days', range)).toBeUndefined();
    expect(integerInput(inputs({ days: '90' }), 'days', range)).toBe(90);
    for (const bad of ['0', '91', '7.5', '-3', 'ten', '1e2']) {
      expect(() => integerInput(inputs({ days: bad }), 'days', range)).toThrow(/input days: .* from 1 to 90/);
    }
  });

  it('reads one of the choices, listing them when the value is none', () => {
    const choices = ['kubeception', 'controlplane-v2'] as const;
    expect(choiceInput(inputs({}), 'sandbox', choices)).toBeUndefined();
    expect(choiceInput(inputs({}), 'sandbox', choices, 'kubeception')).toBe('kubeception');
    expect(() => choiceInput(inputs({ sandbox: 'kind' }), 'sandbox', choices)).toThrow(
      'input sandbox: "kind" is not one of kubeception, controlplane-v2',
    );
  });

  it('splits multi-line inputs, dropping blanks and # comments', () => {
    expect(multilineInput(inputs({ keys: '# team\nage1a\r\n\n  age1b  \n' }), 'keys')).toEqual([
      'age1a',
      'age1b',
    ]);
  });
});
