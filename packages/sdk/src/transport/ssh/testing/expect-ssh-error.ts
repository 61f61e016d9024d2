import { expect } from 'vitest';
import { SshError } from '../ssh-error.js';

/** Awaits a promise that must reject with an SshError; closes what it returned if it did not. */
export async function expectSshError(promise: Promise<unknown>): Promise<SshError> {
  const outcome = await promise.then(
    async (value: unknown) => {
      const closable = value as { close?: () => Promise<void> } | undefined;
      await closable?.close?.();
      return { resolved: true as const };
    },
    (reason: unknown) => ({ resolved: false as const, reason }),
  );
  if (outcome.resolved) expect.fail('expected an SshError, but the call succeeded');
  expect(SshError.isInstance(outcome.reason), String(outcome.reason)).toBe(true);
  return outcome.reason as SshError;
}
