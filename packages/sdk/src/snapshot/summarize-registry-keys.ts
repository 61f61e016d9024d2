import { classifyRegistryKey } from './classify-registry-key.js';

/** Live keys of one resource. */
export interface ResourceSummary {
  /** e.g. `pods`, `example.com/widgets`, or `(other)` for keys outside `/registry/`. */
  resource: string;
  liveKeys: number;
  /** Keys with no namespace (cluster-scoped objects and `(other)`). */
  clusterScoped: number;
  /** Live keys per namespace, namespaces sorted by name. */
  namespaces: Record<string, number>;
}

/** Live keys of one namespace, across resources. */
export interface NamespaceSummary {
  namespace: string;
  liveKeys: number;
}

/** Live keys counted per resource and per namespace. */
export interface RegistrySummary {
  liveKeys: number;
  /** Sorted by resource name. */
  resources: ResourceSummary[];
  /** Sorted by namespace name. */
  namespaces: NamespaceSummary[];
}

/** Pure: counts keys per `/registry/<resource>/` prefix and per namespace (see {@link classifyRegistryKey}). */
export function summarizeRegistryKeys(options: { keys: Iterable<string> }): RegistrySummary {
  const resources = new Map<
    string,
    { liveKeys: number; clusterScoped: number; namespaces: Map<string, number> }
  >();
  const namespaces = new Map<string, number>();
  let liveKeys = 0;
  for (const key of options.keys) {
    liveKeys++;
    const { resource, namespace } = classifyRegistryKey(key);
    let entry = resources.get(resource);
    if (!entry) {
      entry = { liveKeys: 0, clusterScoped: 0, namespaces: new Map() };
      resources.set(resource, entry);
    }
    entry.liveKeys++;
    if (namespace === undefined) {
      entry.clusterScoped++;
    } else {
      entry.namespaces.set(namespace, (entry.namespaces.get(namespace) ?? 0) + 1);
      namespaces.set(namespace, (namespaces.get(namespace) ?? 0) + 1);
    }
  }
  const byName = <T>(left: [string, T], right: [string, T]) =>
    left[0] < right[0] ? -1 : left[0] > right[0] ? 1 : 0;
  return {
    liveKeys,
    resources: [...resources].sort(byName).map(([resource, entry]) => ({
      resource,
      liveKeys: entry.liveKeys,
      clusterScoped: entry.clusterScoped,
      namespaces: Object.fromEntries([...entry.namespaces].sort(byName)),
    })),
    namespaces: [...namespaces].sort(byName).map(([namespace, count]) => ({ namespace, liveKeys: count })),
  };
}
