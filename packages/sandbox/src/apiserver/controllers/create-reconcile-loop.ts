/** A level-triggered loop: `trigger()` schedules one more full pass; passes never overlap. */
export interface ReconcileLoop {
  trigger(): void;
  /** Resolves once no pass is running or scheduled. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs `reconcile` after each trigger (coalescing bursts within `debounceMs`, default 10) and every
 * `resyncMs` (default 2000). A failing pass is retried at the next trigger or resync; `onError` sees it.
 */
export function createReconcileLoop(options: {
  reconcile: () => Promise<void>;
  debounceMs?: number;
  resyncMs?: number;
  onError?: (error: unknown) => void;
}): ReconcileLoop {
  let scheduled: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const idleWaiters: Array<() => void> = [];

  const settleIdle = (): void => {
    if (running || scheduled) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  };
  const run = (): void => {
    scheduled = undefined;
    if (stopped) {
      settleIdle();
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = options
      .reconcile()
      .catch((error) => options.onError?.(error))
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          trigger();
        }
        settleIdle();
      });
  };
  const trigger = (): void => {
    if (stopped || scheduled) return;
    scheduled = setTimeout(run, options.debounceMs ?? 10);
  };
  const resync = setInterval(trigger, options.resyncMs ?? 2000);
  trigger();

  return {
    trigger,
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settleIdle();
      }),
    async stop() {
      stopped = true;
      clearInterval(resync);
      if (scheduled) clearTimeout(scheduled);
      scheduled = undefined;
      await running;
    },
  };
}
