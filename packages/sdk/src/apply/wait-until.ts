import { RestoreError } from '../restore/restore-error.js';

/** Options of {@link waitUntil}. */
export interface WaitUntilOptions<T> {
  /** Returns a value when the wait is over, undefined to poll again; may throw to give up at once. */
  check: () => Promise<T | undefined>;
  /** What is waited for, for the timeout error, e.g. `pods kube-etcd-* in user1 to be gone`. */
  what: string;
  /** The plan step waiting, for the error. */
  step: string;
  timeoutMs: number;
  /** Between checks. Default 1 000 ms. */
  intervalMs?: number;
  /** Called with the last state when the time is up, to say where things stand. */
  describe?: () => string | undefined;
  signal?: AbortSignal;
}

/**
 * Polls `check` until it returns a value. A check that throws a retryable error (API busy, connection lost)
 * is tried again; any other error ends the wait.
 * @throws RestoreError `RESTORE_STEP_FAILED` when `timeoutMs` passes.
 */
export async function waitUntil<T>(options: WaitUntilOptions<T>): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 1_000;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const value = await options.check();
      if (value !== undefined) return value;
    } catch (error) {
      if (!(error as { isRetryable?: boolean }).isRetryable) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const state = options.describe?.() ?? (lastError ? (lastError as Error).message : undefined);
      throw new RestoreError({
        code: 'RESTORE_STEP_FAILED',
        step: options.step,
        message: `step ${options.step}: timed out after ${options.timeoutMs} ms waiting for ${options.what}${state ? ` (${state})` : ''}`,
        remedy: 'check the pods named with kubectl describe and their logs',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
