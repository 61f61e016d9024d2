/** Options of {@link runTogether}. */
export interface RunTogetherOptions<T extends readonly unknown[]> {
  /** Started at once, each with a signal that aborts when the caller's does or when a sibling fails. */
  tasks: { [K in keyof T]: (signal: AbortSignal) => Promise<T[K]> };
  /**
   * Tells errors that a sibling's failure can cause (a shared writer closed under a task, an aborted
   * transfer): such an error is thrown only when no task failed for a reason of its own. AbortErrors always
   * count as consequences. Default: nothing else does.
   */
  isConsequence?: (error: unknown) => boolean;
  signal?: AbortSignal;
}

const isAbortError = (error: unknown): boolean => (error as Error | undefined)?.name === 'AbortError';

/**
 * Runs independent tasks at the same time and resolves with their results in order. A failure aborts the
 * others' signal and is thrown only once every task has settled: a caller that cleans up after a failure
 * (e.g. aborts a bundle writer) never races a sibling still writing. The error thrown is the first, in
 * time, that is not a consequence of another (see `isConsequence`), else the first.
 */
export async function runTogether<T extends readonly unknown[]>(options: RunTogetherOptions<T>): Promise<T> {
  const siblings = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, siblings.signal]) : siblings.signal;
  const isConsequence = options.isConsequence ?? (() => false);
  const failures: unknown[] = [];
  const settled = await Promise.allSettled(
    (options.tasks as readonly ((signal: AbortSignal) => Promise<unknown>)[]).map((task) => {
      const fail = (error: unknown): never => {
        failures.push(error);
        siblings.abort();
        throw error;
      };
      try {
        return task(signal).catch(fail);
      } catch (error) {
        return Promise.reject(error).catch(fail);
      }
    }),
  );
  if (failures.length > 0) {
    throw failures.find((error) => !isAbortError(error) && !isConsequence(error)) ?? failures[0];
  }
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
