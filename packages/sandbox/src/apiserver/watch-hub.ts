/** A change to one stored object, as a watch reports it. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** `group/resource`, e.g. `/pods` or `apps/statefulsets`. */
  resourceKey: string;
  namespace: string | undefined;
  object: Record<string, unknown>;
  revision: number;
}

/** Fan-out of every write this server makes, with a bounded history for watches that resume. */
export interface WatchHub {
  publish(event: WatchEvent): void;
  /** Events newer than `revision` still in history, or `undefined` when history no longer reaches back that far. */
  since(revision: number): WatchEvent[] | undefined;
  subscribe(listener: (event: WatchEvent) => void): () => void;
  /**
   * Forgets the history after etcd's revision went backwards (a restore): watches resuming from any
   * older resourceVersion then get 410 Expired and relist, instead of replaying events that no longer exist.
   */
  reset(revision: number): void;
}

/** Creates a hub keeping the last `historySize` events (default 2000). */
export function createWatchHub(options: { historySize?: number } = {}): WatchHub {
  const historySize = options.historySize ?? 2000;
  const history: WatchEvent[] = [];
  const listeners = new Set<(event: WatchEvent) => void>();
  let droppedUpTo = 0;
  return {
    publish(event) {
      history.push(event);
      if (history.length > historySize) droppedUpTo = history.shift()!.revision;
      for (const listener of listeners) listener(event);
    },
    since(revision) {
      if (revision < droppedUpTo) return undefined;
      return history.filter((event) => event.revision > revision);
    },
    reset(revision) {
      history.length = 0;
      droppedUpTo = revision;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
