import { ActionInputError } from './action-input-error.js';

/** Reads one input as the runner passes it (`core.getInput`): the empty string means unset. */
export type GetInput = (name: string) => string;

/** The trimmed value, or undefined when unset or blank. */
export function optionalInput(getInput: GetInput, name: string): string | undefined {
  const value = getInput(name).trim();
  return value === '' ? undefined : value;
}

/** Non-empty lines, trimmed, without `#` comment lines. */
export function multilineInput(getInput: GetInput, name: string): string[] {
  return getInput(name)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** `true`/`false` as YAML 1.2 spells them; `fallback` when unset. */
export function booleanInput(getInput: GetInput, name: string, fallback: boolean): boolean {
  const value = optionalInput(getInput, name);
  if (value === undefined) return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new ActionInputError({
    input: name,
    problem: `${JSON.stringify(value)} is not a boolean`,
    remedy: `set ${name}: true or ${name}: false`,
  });
}

/** A whole number in `[minimum, maximum]`, or undefined when unset. */
export function integerInput(
  getInput: GetInput,
  name: string,
  range: { minimum: number; maximum: number },
): number | undefined {
  const value = optionalInput(getInput, name);
  if (value === undefined) return undefined;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < range.minimum || number > range.maximum) {
    throw new ActionInputError({
      input: name,
      problem: `${JSON.stringify(value)} is not a whole number from ${range.minimum} to ${range.maximum}`,
      remedy: `set ${name} to a number of days from ${range.minimum} to ${range.maximum}`,
    });
  }
  return number;
}

/** One of `choices`, or `fallback` when unset. */
export function choiceInput<Choice extends string>(
  getInput: GetInput,
  name: string,
  choices: readonly Choice[],
  fallback: Choice,
): Choice;
export function choiceInput<Choice extends string>(
  getInput: GetInput,
  name: string,
  choices: readonly Choice[],
): Choice | undefined;
export function choiceInput<Choice extends string>(
  getInput: GetInput,
  name: string,
  choices: readonly Choice[],
  fallback?: Choice,
): Choice | undefined {
  const value = optionalInput(getInput, name);
  if (value === undefined) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as Choice;
  throw new ActionInputError({
    input: name,
    problem: `${JSON.stringify(value)} is not one of ${choices.join(', ')}`,
    remedy: `set ${name} to one of: ${choices.join(', ')}`,
  });
}
