/** What `etcdctl endpoint status -w json` says about one member. IDs kept as decimal strings (uint64). */
export interface EtcdEndpointStatus {
  endpoint: string;
  clusterId: string;
  memberId: string;
  /** Member ID of the leader this member sees; `0` when it sees none. */
  leader: string;
  revision: number;
  raftIndex: number;
  version: string;
}

/** What `etcdctl endpoint health -w json` says about one endpoint. */
export interface EtcdEndpointHealth {
  endpoint: string;
  healthy: boolean;
  /** etcdctl's error text when unhealthy. */
  error?: string;
}

// etcd IDs are uint64; JSON.parse would round them, so they are read from the text.
const idPattern = (field: string) => new RegExp(`"${field}"\\s*:\\s*(\\d+)`, 'g');

/**
 * Pure: reads `etcdctl endpoint status -w json` (etcd 3.4+). Returns one entry per endpoint, or an empty
 * list when the text is not that shape (garbage is never guessed at).
 */
export function parseEtcdEndpointStatus(options: { text: string }): EtcdEndpointStatus[] {
  const parsed = parseJsonArray(options.text);
  if (parsed === undefined) return [];
  const json = options.text.slice(options.text.indexOf('['), options.text.lastIndexOf(']') + 1);
  const clusterIds = [...json.matchAll(idPattern('cluster_id'))].map((match) => match[1]!);
  const memberIds = [...json.matchAll(idPattern('member_id'))].map((match) => match[1]!);
  const leaders = [...json.matchAll(idPattern('leader'))].map((match) => match[1]!);
  if (clusterIds.length !== parsed.length || memberIds.length !== parsed.length) return [];
  return parsed.flatMap((entry, index) => {
    const item = entry as {
      Endpoint?: unknown;
      Status?: { header?: { revision?: unknown }; version?: unknown; raftIndex?: unknown };
    };
    if (typeof item.Endpoint !== 'string' || typeof item.Status !== 'object' || item.Status === null)
      return [];
    const revision = item.Status.header?.revision;
    if (typeof revision !== 'number') return [];
    return [
      {
        endpoint: item.Endpoint,
        clusterId: clusterIds[index]!,
        memberId: memberIds[index]!,
        leader: leaders[index] ?? '0',
        revision,
        raftIndex: typeof item.Status.raftIndex === 'number' ? item.Status.raftIndex : 0,
        version: typeof item.Status.version === 'string' ? item.Status.version : '',
      },
    ];
  });
}

/**
 * Pure: reads `etcdctl endpoint health -w json` (`[{"endpoint":..,"health":true,"took":..}]`, `"error"` when
 * unhealthy). Returns an empty list when the text is not that shape.
 */
export function parseEtcdEndpointHealth(options: { text: string }): EtcdEndpointHealth[] {
  return (parseJsonArray(options.text) ?? []).flatMap((entry) => {
    const item = entry as { endpoint?: unknown; health?: unknown; error?: unknown };
    if (typeof item.endpoint !== 'string' || typeof item.health !== 'boolean') return [];
    return [
      {
        endpoint: item.endpoint,
        healthy: item.health,
        ...(typeof item.error === 'string' ? { error: item.error } : {}),
      },
    ];
  });
}

function parseJsonArray(text: string): unknown[] | undefined {
  const start = text.indexOf('[');
  const end = text.lastIndexOf(']');
  if (start === -1 || end < start) return undefined;
  try {
    const value: unknown = JSON.parse(text.slice(start, end + 1));
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
