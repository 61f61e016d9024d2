import type { RegistrySummary } from '@etcd-dr/sdk';

/** One resource (and namespace) whose live key count differs from the bundle's. */
export interface InventoryDiffRow {
  /** e.g. `configmaps`, `example.com/widgets`, `(other)` for keys outside `/registry/`. */
  resource: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  /** Keys in the bundle's snapshot. */
  bundle: number;
  /** Keys in the live store. */
  live: number;
}

/** Options of {@link compareInventories}. */
export interface CompareInventoriesOptions {
  bundle: RegistrySummary;
  live: RegistrySummary;
  /** Also list the rows that match. Default false: only differences. */
  includeEqual?: boolean;
}

/**
 * Pure: compares two inventories (keys per resource and namespace, as `summarizeRegistryKeys` counts them)
 * row by row. Rows are sorted by resource, cluster-scoped first, then by namespace. `live < bundle` means
 * objects the restore did not bring back (or that were deleted since); `live > bundle` means objects that
 * are not in the bundle (created after the backup).
 */
export function compareInventories(options: CompareInventoriesOptions): InventoryDiffRow[] {
  const bundle = countsOf(options.bundle);
  const live = countsOf(options.live);
  const keys = [...new Set([...bundle.keys(), ...live.keys()])];
  const rows = keys.flatMap((key) => {
    const bundleCount = bundle.get(key) ?? 0;
    const liveCount = live.get(key) ?? 0;
    if (bundleCount === liveCount && !options.includeEqual) return [];
    const [resource, namespace] = JSON.parse(key) as [string, string | null];
    const row: InventoryDiffRow = { resource, bundle: bundleCount, live: liveCount };
    if (namespace !== null) row.namespace = namespace;
    return [row];
  });
  return rows.sort(
    (left, right) =>
      compareText(left.resource, right.resource) ||
      (left.namespace === undefined ? -1 : 0) - (right.namespace === undefined ? -1 : 0) ||
      compareText(left.namespace ?? '', right.namespace ?? ''),
  );
}

function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function countsOf(summary: RegistrySummary): Map<string, number> {
  const counts = new Map<string, number>();
  for (const resource of summary.resources) {
    if (resource.clusterScoped > 0)
      counts.set(JSON.stringify([resource.resource, null]), resource.clusterScoped);
    for (const [namespace, count] of Object.entries(resource.namespaces)) {
      counts.set(JSON.stringify([resource.resource, namespace]), count);
    }
  }
  return counts;
}

/** Pure: one line for humans, e.g. `2 rows differ: 1 missing key, 3 extra keys`, or `identical`. */
export function summarizeInventoryDiff(rows: InventoryDiffRow[]): string {
  const differing = rows.filter((row) => row.bundle !== row.live);
  if (differing.length === 0) return 'the live keys match the bundle per resource and namespace';
  const missing = differing.reduce((sum, row) => sum + Math.max(0, row.bundle - row.live), 0);
  const extra = differing.reduce((sum, row) => sum + Math.max(0, row.live - row.bundle), 0);
  return `${differing.length} resource/namespace row(s) differ: ${missing} key(s) in the bundle but not live, ${extra} live key(s) not in the bundle`;
}
