/** What `etcdctl endpoint status -w json` says about one member. IDs kept as decimal strings (uint64). */
export interface EtcdEndpointStatus {
  endpoint: string;
  clusterId: string;
  memberId: string;
  /** The member ID of the leader this member sees; `0` when it sees none. */
  leader: string;
  raftIndex: number;
  raftTerm: number;
  revision: number;
  version: string;
}

/** What `etcdctl endpoint health -w json` says about one endpoint. */
export interface EtcdEndpointHealth {
  endpoint: string;
  healthy: boolean;
  /** etcdctl's error text when unhealthy. */
  error?: string;
}

/** Options of the endpoint output parsers. */
export interface ParseEtcdEndpointOutputOptions {
  /** etcdctl's stdout. */
  text: string;
}

// etcd's IDs are uint64 and JSON.parse would round them; they are read from the text instead.
const idPattern = (field: string) => new RegExp(`"${field}"\\s*:\\s*(\\d+)`, 'g');

/**
 * Reads `etcdctl endpoint status -w json` (etcd 3.4+: `[{"Endpoint":..,"Status":{"header":{"cluster_id":..,
 * "member_id":..,"revision":..},"version":..,"leader":..,"raftIndex":..,"raftTerm":..}}]`). Pure.
 * @returns one entry per endpoint; empty when the text is not that shape.
 */
export function parseEtcdEndpointStatus(options: ParseEtcdEndpointOutputOptions): EtcdEndpointStatus[] {
  const parsed = parseJsonArray(options.text);
  const clusterIds = [...options.text.matchAll(idPattern('cluster_id'))].map((match) => match[1]!);
  const memberIds = [...options.text.matchAll(idPattern('member_id'))].map((match) => match[1]!);
  const leaders = [...options.text.matchAll(idPattern('leader'))].map((match) => match[1]!);
  if (parsed === undefined || clusterIds.length !== parsed.length || memberIds.length !== parsed.length) {
    return [];
  }
  return parsed.flatMap((entry, index) => {
    const item = entry as {
      Endpoint?: string;
      Status?: {
        header?: { revision?: number };
        version?: string;
        raftIndex?: number;
        raftTerm?: number;
      };
    };
    if (typeof item.Endpoint !== 'string' || item.Status === undefined) return [];
    return [
      {
        endpoint: item.Endpoint,
        clusterId: clusterIds[index]!,
        memberId: memberIds[index]!,
        leader: leaders[index] ?? '0',
        raftIndex: item.Status.raftIndex ?? 0,
        raftTerm: item.Status.raftTerm ?? 0,
        revision: item.Status.header?.revision ?? 0,
        version: item.Status.version ?? '',
      },
    ];
  });
}

/**
 * Reads `etcdctl endpoint health -w json` (`[{"endpoint":..,"health":true,"took":..}]`, with `"error"` when
 * unhealthy). Pure.
 * @returns one entry per endpoint; empty when the text is not that shape.
 */
export function parseEtcdEndpointHealth(options: ParseEtcdEndpointOutputOptions): EtcdEndpointHealth[] {
  const parsed = parseJsonArray(options.text) ?? [];
  return parsed.flatMap((entry) => {
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
