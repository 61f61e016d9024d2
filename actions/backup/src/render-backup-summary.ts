import { markdownCell } from '@etcd-dr/actions-shared';
import { type BundleManifest, formatBytes } from '@etcd-dr/sdk';

/** Options of {@link renderBackupSummary}. */
export interface RenderBackupSummaryOptions {
  manifest: BundleManifest;
  artifact: { id: number; name: string };
  /** `sha256:HEX` of the bundle .tar. */
  digest: string;
  /** Bytes of the bundle .tar. */
  size: number;
  recipients: number;
  /** Days the artifact is kept; undefined: the repository's default. */
  retentionDays?: number;
  durationMs: number;
  warnings: string[];
}

/** Pure: the job summary of one backup, as Markdown (a table, then warnings). */
export function renderBackupSummary(options: RenderBackupSummaryOptions): string {
  const { manifest } = options;
  const rows: [string, string][] = [
    [
      'Cluster',
      `${manifest.cluster.name} (${manifest.cluster.topology}, ${manifest.cluster.ha ? 'HA' : 'non-HA'})`,
    ],
    ['etcd', manifest.etcd.version],
    ['Revision', String(manifest.snapshot.revision)],
    ['Keys', String(manifest.snapshot.totalKeys)],
    ['Bundle', `${formatBytes(options.size)}, ${manifest.files.length} files`],
    [
      'Encrypted',
      options.recipients > 0
        ? `yes (age, ${options.recipients} recipient${options.recipients > 1 ? 's' : ''})`
        : '**no** (allow-unencrypted: true)',
    ],
    ['Artifact', `\`${options.artifact.name}\` (id ${options.artifact.id})`],
    ['Digest', `\`${options.digest}\``],
    [
      'Retention',
      options.retentionDays === undefined ? "repository's default" : `${options.retentionDays} days`,
    ],
    ['Duration', `${(options.durationMs / 1000).toFixed(1)} s`],
  ];
  const lines = [
    `## etcd-dr backup of ${markdownCell(manifest.cluster.name)}`,
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([name, value]) => `| ${name} | ${markdownCell(value)} |`),
  ];
  if (options.warnings.length > 0) {
    lines.push('', '### Warnings', '', ...options.warnings.map((warning) => `- ${markdownCell(warning)}`));
  }
  return `${lines.join('\n')}\n`;
}
