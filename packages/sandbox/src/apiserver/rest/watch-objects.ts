import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext } from '../api-context.js';
import type { ResourceType } from '../resource-types.js';
import type { KubeObject } from '../storage/object-store.js';
import { renderTable } from '../tables.js';
import type { WatchEvent } from '../watch-hub.js';
import { matchesObjectFilter, type ObjectFilter } from './object-filter.js';

/**
 * Streams watch events (one JSON object per line, chunked) as the real server does: with no or `0`
 * resourceVersion it first sends the current objects as ADDED, otherwise it replays from that version
 * (410 Expired in an ERROR event when history no longer reaches back).
 */
export async function watchObjects(options: {
  context: ApiContext;
  request: IncomingMessage;
  response: ServerResponse;
  type: ResourceType;
  namespace: string | undefined;
  filter: ObjectFilter;
  query: URLSearchParams;
  asTable: boolean;
}): Promise<void> {
  const { context, response, type, namespace, filter, query } = options;
  const resourceKey = `${type.group}/${type.resource}`;
  const pending: WatchEvent[] = [];
  let live = false;
  // Concurrent writes may publish out of revision order, so events are filtered against the starting
  // revision only, with duplicates (replayed history overlapping the buffered live events) skipped.
  let floor = 0;
  const replayed = new Set<number>();

  const write = (eventType: string, object: KubeObject | Record<string, unknown>): void => {
    const payload = options.asTable
      ? renderTable({
          type,
          objects: [object as KubeObject],
          resourceVersion: String((object as KubeObject).metadata?.resourceVersion ?? ''),
          includeObject: query.get('includeObject') ?? undefined,
        })
      : object;
    response.write(`${JSON.stringify({ type: eventType, object: payload })}\n`);
  };
  const deliver = (event: WatchEvent): void => {
    if (event.resourceKey !== resourceKey || event.revision <= floor) return;
    if (namespace && event.namespace !== namespace) return;
    if (!live) {
      if (replayed.has(event.revision)) return;
      replayed.add(event.revision);
    }
    if (!matchesObjectFilter({ filter, object: event.object })) return;
    write(event.type, event.object);
  };
  const unsubscribe = context.hub.subscribe((event) => {
    if (live) deliver(event);
    else pending.push(event);
  });

  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 1800);
  let timer: NodeJS.Timeout | undefined;
  const finish = (): void => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    if (!response.writableEnded) response.end();
  };
  options.request.on('close', finish);
  response.on('close', finish);

  try {
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    response.flushHeaders();
    const requested = query.get('resourceVersion') ?? '';
    if (requested === '' || requested === '0') {
      const { items, revision } = await context.store.list({ type, namespace });
      for (const item of items) if (matchesObjectFilter({ filter, object: item })) write('ADDED', item);
      floor = revision;
    } else {
      const history = context.hub.since(Number(requested));
      if (!history) {
        write('ERROR', {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `too old resource version: ${requested}`,
          reason: 'Expired',
          code: 410,
        });
        finish();
        return;
      }
      floor = Number(requested);
      for (const event of history) deliver(event);
    }
    for (const event of pending.splice(0)) deliver(event);
    live = true;
    replayed.clear();
    timer = setTimeout(finish, Math.max(1, timeoutSeconds) * 1000);
  } catch (error) {
    finish();
    throw error;
  }
}
