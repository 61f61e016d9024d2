import type { ApiServer } from '../apiserver/create-api-server.js';

/** Options of {@link gateOnReadiness}. */
export interface GateOnReadinessOptions {
  /** The user cluster's API server, which listens only while this says so. */
  api: Pick<ApiServer, 'isListening' | 'setListening'>;
  /** True while the cluster's API server has a Ready replica. */
  isReady: () => boolean | Promise<boolean>;
  /** Why the API is down, for the log line. */
  downReason: string;
  log: (line: string) => void;
  /** Changes to react to at once besides the 300 ms poll; each call subscribes and returns an unsubscribe. */
  triggers?: Array<(listener: () => void) => () => void>;
}

/**
 * Keeps the user cluster's API server listening exactly while one of its API server pods is Ready: while none
 * is, clients get "connection refused", as from a real control plane whose API server replicas are all down. One check at a time; `stop` ends the loop.
 */
export function gateOnReadiness(options: GateOnReadinessOptions): { stop(): void } {
  let stopped = false;
  let busy = false;
  const tick = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      const ready = await options.isReady();
      if (ready && !options.api.isListening()) {
        await options.api.setListening(true);
        options.log('user cluster API up');
      } else if (!ready && options.api.isListening()) {
        await options.api.setListening(false);
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
