import type { SnapshotInspection } from '@etcd-dr/sdk';

const mebibyte = 1024 * 1024;

function formatSize(bytes: number): string {
  return bytes >= mebibyte ? `${(bytes / mebibyte).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

function integrityLine(inspection: SnapshotInspection): string {
  const { integrity } = inspection;
  if (integrity.verdict === 'ok') return `ok: trailing SHA-256 matches (${integrity.sha256})`;
  if (integrity.verdict === 'mismatch') {
    return `MISMATCH: trailing SHA-256 ${integrity.expected} but content hashes to ${integrity.actual}`;
  }
  return 'unhashed: no trailing SHA-256 (a raw copy of member/snap/db); not corrupt, but unverifiable: restore needs --skip-hash-check';
}

function namespacesCell(entry: SnapshotInspection['resources'][number]): string {
  const names = Object.entries(entry.namespaces);
  const shown = names.slice(0, 3).map(([namespace, count]) => `${namespace} ${count}`);
  if (names.length > 3) shown.push(`+${names.length - 3} more`);
  if (entry.clusterScoped > 0)
    shown.push(names.length > 0 ? `cluster-scoped ${entry.clusterScoped}` : 'cluster-scoped');
  return `${names.length}${shown.length ? `  (${shown.join(', ')})` : ''}`;
}

/** Pure: the terminal text of `etcd-dr inspect` for a snapshot file. */
export function formatInspection(inspection: SnapshotInspection): string {
  const { status } = inspection;
  const compacted =
    inspection.compactedRevision === undefined
      ? 'never compacted'
      : `compacted at ${inspection.compactedRevision}`;
  const hexHash = status.hash.toString(16).padStart(8, '0');
  const header = [
    [
      'Snapshot',
      `${inspection.path} (${formatSize(inspection.fileSize)}, bbolt page size ${inspection.pageSize})`,
    ],
    ['Integrity', integrityLine(inspection)],
    ['Revision', `${status.revision} (the latest revision stored), ${compacted}`],
    ['Total keys', `${status.totalKey} in all buckets, ${inspection.keyRevisions} key revisions`],
    ['Status hash', `${hexHash} (${status.hash}; crc32c of all buckets, as in etcdctl snapshot status)`],
    ['Live keys', `${inspection.liveKeys} in ${inspection.resources.length} resources`],
  ];
  const labelWidth = Math.max(...header.map(([label]) => label!.length));
  const lines = header.map(([label, value]) => `${label!.padEnd(labelWidth)}  ${value}`);
  const rows = inspection.resources.map((entry) => [
    entry.resource,
    String(entry.liveKeys),
    namespacesCell(entry),
  ]);
  const titles = ['RESOURCE', 'LIVE KEYS', 'NAMESPACES'];
  const resourceWidth = Math.max(titles[0]!.length, ...rows.map((row) => row[0]!.length));
  const liveWidth = Math.max(titles[1]!.length, ...rows.map((row) => row[1]!.length));
  const table = [titles, ...rows].map(
    ([resource, live, namespaces]) =>
      `${resource!.padEnd(resourceWidth)}  ${live!.padStart(liveWidth)}  ${namespaces}`,
  );
  return `${[...lines, '', ...table].join('\n')}\n`;
}
