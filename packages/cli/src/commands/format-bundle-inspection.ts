import { formatInspection } from './format-inspection.js';
import type { BundleInspection } from './inspect-bundle.js';

const kibibyte = 1024;
const mebibyte = 1024 * kibibyte;

function formatSize(bytes: number): string {
  if (bytes >= mebibyte) return `${(bytes / mebibyte).toFixed(1)} MiB`;
  if (bytes >= kibibyte) return `${(bytes / kibibyte).toFixed(1)} KiB`;
  return `${bytes} B`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** Pure: the terminal text of `etcd-dr inspect` for a verified bundle. */
export function formatBundleInspection(inspection: BundleInspection): string {
  const { manifest } = inspection;
  const { cluster } = manifest;
  const members = cluster.members.map((member) =>
    [
      member.name,
      `peer ${member.peerUrl}`,
      member.clientUrl ? `client ${member.clientUrl}` : '',
      member.node ? `node ${member.node}` : '',
    ]
      .filter(Boolean)
      .join('  '),
  );
  const hostKeys = Object.entries(manifest.hostKeys).map(([node, fingerprint]) => `${node} ${fingerprint}`);
  const restores = (manifest.restores ?? []).map(
    (restore) =>
      `${restore.restoredAt} into ${restore.targetCluster}: ${restore.outcome} (etcd-dr ${restore.toolVersion})`,
  );
  const header: Array<[string, string[]]> = [
    [
      'Bundle',
      [
        `${inspection.path} (${inspection.format}, format ${manifest.formatVersion}, written by ${manifest.tool.name} ${manifest.tool.version} at ${manifest.createdAt})`,
      ],
    ],
    [
      'Cluster',
      [
        `${cluster.name}: ${cluster.topology}, ${cluster.ha ? 'HA' : 'non-HA'}, ${cluster.members.length} member${cluster.members.length === 1 ? '' : 's'}, etcd ${manifest.etcd.version}`,
      ],
    ],
    ['Members', members],
    [
      'Recorded',
      [
        `snapshot revision ${manifest.snapshot.revision}, ${manifest.snapshot.totalKeys} total keys, ${manifest.snapshot.hash}`,
      ],
    ],
    ['Host keys', hostKeys.length ? hostKeys : ['none recorded']],
    ['Restores', restores.length ? restores : ['none recorded']],
  ];
  const labelWidth = Math.max(...header.map(([label]) => label.length));
  const lines = header.flatMap(([label, values]) =>
    values.map((value, index) => `${(index === 0 ? label : '').padEnd(labelWidth)}  ${value}`),
  );
  const files = table([
    ['FILE', 'ROLE', 'NODE', 'SIZE', 'ENCRYPTION', 'SHA-256'],
    ...inspection.files.map((file) => [
      file.path,
      file.role,
      file.node ?? '-',
      formatSize(file.size),
      file.encryption,
      `${file.verification} ${file.sha256.slice(0, 16)}…`,
    ]),
  ]);
  const verdict = `All ${inspection.files.length} files match the manifest (size and SHA-256).`;
  const agreement = inspection.disagreements.length
    ? inspection.disagreements.map((disagreement) => `WARNING: ${disagreement}`)
    : [];
  const snapshot =
    'skipped' in inspection.snapshot
      ? `Snapshot  ${inspection.snapshot.path} is encrypted with age; decrypt it to inspect its contents\n`
      : formatInspection(inspection.snapshot);
  return `${[...lines, '', ...files, verdict, ...agreement, ''].join('\n')}\n${snapshot}`;
}
