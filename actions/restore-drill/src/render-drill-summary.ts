import { markdownCell } from '@etcd-dr/actions-shared';
import type { BundleManifest } from '@etcd-dr/sdk';
import type { DrillReport } from '@etcd-dr/verify';

/** Options of {@link renderDrillSummary}. */
export interface RenderDrillSummaryOptions {
  artifact: { id: number; name: string; digest: string; from: string };
  manifest: BundleManifest;
  /** Files whose size and SHA-256 `verifyBundle` checked. */
  verifiedFiles: number;
  /** The drill's outcome, when it ran: its report and the engine's Markdown of it. */
  drill?: { report: DrillReport; markdown: string };
  /** The one-line error that stopped the action, when it did not finish. */
  error?: string;
}

/** Pure: the job summary of a restore drill: verdict, the backup drilled from, then the drill report. */
export function renderDrillSummary(options: RenderDrillSummaryOptions): string {
  const { manifest, artifact, drill } = options;
  const verdict = drill ? drill.report.verdict.toUpperCase() : 'DID NOT RUN';
  const lines = [`## etcd-dr restore drill: ${verdict}`, ''];
  if (drill) {
    const { report } = drill;
    const failed = report.steps.filter((step) => step.outcome === 'failed').length;
    lines.push(
      `${report.mode === 'sandbox' ? 'Sandbox' : 'Target'} drill of ${markdownCell(report.cluster.name)}: ${report.steps.length} steps, ${failed} failed, ${(report.durationMs / 1000).toFixed(1)} s.`,
      '',
    );
    if (report.failures.length > 0) {
      lines.push('Failures:', '', ...report.failures.map((failure) => `- ${markdownCell(failure)}`), '');
    }
  }
  if (options.error) lines.push(`**Error:** ${markdownCell(options.error)}`, '');
  const rows: [string, string][] = [
    ['Artifact', `\`${artifact.name}\` (id ${artifact.id}) from ${artifact.from}`],
    ['Digest', `\`${artifact.digest}\``],
    [
      'Cluster',
      `${manifest.cluster.name} (${manifest.cluster.topology}, ${manifest.cluster.ha ? 'HA' : 'non-HA'})`,
    ],
    ['Taken', manifest.createdAt],
    ['Revision', `${manifest.snapshot.revision} (${manifest.snapshot.totalKeys} keys)`],
    ['Verified', `${options.verifiedFiles} files, size and SHA-256`],
  ];
  lines.push(
    '### Backup',
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([name, value]) => `| ${name} | ${markdownCell(value)} |`),
  );
  if (drill) lines.push('', drill.markdown.trimEnd());
  return `${lines.join('\n')}\n`;
}
