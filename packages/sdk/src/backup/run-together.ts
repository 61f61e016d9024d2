/** Options of {@link runTogether}. */
export interface RunTogetherOptions<T extends readonly unknown[]> {
  /** Started at once, each with a signal that aborts when the caller's does or when a sibling fails. */
  tasks: { [K in keyof T]: (signal: AbortSignal) => Promise<T[K]> };
  signal?: AbortSignal;
}

/**
 * Runs independent tasks at the same time and resolves with their results in order. The first failure
 * aborts the others' signal and is thrown only once every task has settled: a caller that cleans up after
 * a failure (e.g. aborts a bundle writer) never races a sibling still writing.
 * @throws the first task's error (in time), never the AbortErrors it caused.
 */
export async function runTogether<T extends readonly unknown[]>(options: RunTogetherOptions<T>): Promise<T> {
  const siblings = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, siblings.signal]) : siblings.signal;
  let failure: { error: unknown } | undefined;
  const settled = await Promise.allSettled(
    (options.tasks as readonly ((signal: AbortSignal) => Promise<unknown>)[]).map((task) => {
      const fail = (error: unknown): never => {
        failure ??= { error };
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
  if (failure) throw failure.error;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
