import { describe, expect, it } from 'vitest';
import { createWatchHub, type WatchEvent } from './watch-hub.js';

const event = (revision: number): WatchEvent => ({
  type: 'ADDED',
  resourceKey: '/configmaps',
  namespace: 'default',
  object: { metadata: { name: `cm${revision}` } },
  revision,
});

describe('createWatchHub', () => {
  it('replays events newer than a revision and reports history that no longer reaches back', () => {
    const hub = createWatchHub({ historySize: 3 });
    for (const revision of [5, 6, 7, 8]) hub.publish(event(revision));
    expect(hub.since(6)?.map((item) => item.revision)).toEqual([7, 8]);
    expect(hub.since(4)).toBeUndefined();
  });

  it('expires every older resume point after etcd went backwards (restore)', () => {
    const hub = createWatchHub();
    for (const revision of [10, 11]) hub.publish(event(revision));
    hub.reset(4);
    expect(hub.since(3)).toBeUndefined();
    expect(hub.since(4)).toEqual([]);
    hub.publish(event(5));
    expect(hub.since(4)?.map((item) => item.revision)).toEqual([5]);
  });
});
