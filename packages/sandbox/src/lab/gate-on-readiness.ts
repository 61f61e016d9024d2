import type { GatedProxy } from './gated-proxy.js';

/** Options of {@link gateOnReadiness}. */
export interface GateOnReadinessOptions {
  gate: GatedProxy;
  /** True while the cluster's API server has a Ready replica. */
  isReady: () => boolean | Promise<boolean>;
  /** Why the API is down, for the log line. */
  downReason: string;
  log: (line: string) => void;
  /** Changes to react to at once besides the 300 ms poll; each call subscribes and returns an unsubscribe. */
  triggers?: Array<(listener: () => void) => () => void>;
}

/**
 * Keeps the user cluster's API endpoint open exactly while its API server is Ready, as the real endpoint
 * answers only while an API server replica runs. One check at a time; `stop` ends the loop.
 */
export function gateOnReadiness(options: GateOnReadinessOptions): { stop(): void } {
  let stopped = false;
  let busy = false;
  const tick = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      const ready = await options.isReady();
      if (ready && !options.gate.isOpen) {
        await options.gate.open();
        options.log('user cluster API up');
      } else if (!ready && options.gate.isOpen) {
        await options.gate.close();
        options.log(`user cluster API down: ${options.downReason}`);
      }
    } finally {
      busy = false;
    }
  };
  const check = () => void tick().catch(() => {});
  const unsubscribers = (options.triggers ?? []).map((subscribe) => subscribe(check));
  const timer = setInterval(check, 300);
  check();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
      for (const unsubscribe of unsubscribers) unsubscribe();
    },
  };
}
