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
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
