import { formatBytes } from '@etcd-dr/sdk';
import type { DrillReport } from './drill-report.js';

/**
 * Pure: the drill report as Markdown for people (a job summary, a file next to the JSON): the verdict, the
 * cluster, the backup and restore facts, every step with its duration, the probes, the inventory diff table
 * and the failures.
 */
export function renderDrillMarkdown(report: DrillReport): string {
  const { cluster } = report;
  const lines: string[] = [
    `# etcd-dr drill: ${report.verdict === 'passed' ? 'PASSED' : 'FAILED'}`,
    '',
    '| | |',
    '| --- | --- |',
    `| Cluster | ${cell(cluster.name)} (${cluster.topology}, ${cluster.ha ? 'HA' : 'non-HA'}) |`,
    `| Mode | ${report.mode === 'sandbox' ? 'sandbox (a fresh lab, created and removed)' : 'target (existing cluster and bundle)'} |`,
    `| Started | ${report.startedAt} |`,
    `| Duration | ${formatDuration(report.durationMs)} |`,
  ];
  if (report.backup) {
    const { backup } = report;
    lines.push(
      `| Backup | ${cell(backup.bundlePath)}: ${formatBytes(backup.bytes)}, revision ${backup.revision}, ${backup.totalKeys} keys |`,
    );
  }
  if (report.restore) {
    lines.push(
      `| Restore | revision ${report.restore.revision} in ${formatDuration(report.restore.durationMs)} |`,
    );
  }
  lines.push('', '## Steps', '', '| Step | Outcome | Duration | Detail |', '| --- | --- | --- | --- |');
  for (const step of report.steps) {
    lines.push(
      `| ${cell(step.name)} | ${outcomeMark(step.outcome)} | ${formatDuration(step.durationMs)} | ${cell(step.detail ?? '')} |`,
    );
  }
  if (report.probes) {
    const { probes } = report;
    lines.push(
      '',
      '## Probes',
      '',
      `- Created before the backup, must be back: ${list(probes.expectedPresent)}; missing: ${list(probes.missing)}`,
      `- Created after the backup, must be gone: ${list(probes.expectedAbsent)}; still present: ${list(probes.unexpected)}`,
    );
  }
  lines.push('', '## Inventory diff (bundle vs live, after the restore)', '');
  const comparison = report.steps.find((step) => step.name === 'compare-inventory');
  if (comparison?.outcome !== 'succeeded') {
    lines.push(
      `Not compared${comparison ? ` (compare-inventory ${comparison.outcome}: ${comparison.detail ?? 'no detail'})` : ''}.`,
    );
  } else if (report.inventoryDiff.length === 0) {
    lines.push('No difference: the live keys match the bundle per resource and namespace.');
  } else {
    lines.push('| Resource | Namespace | Bundle | Live | Change |', '| --- | --- | ---: | ---: | ---: |');
    for (const row of report.inventoryDiff) {
      const change = row.live - row.bundle;
      lines.push(
        `| ${cell(row.resource)} | ${cell(row.namespace ?? '(cluster)')} | ${row.bundle} | ${row.live} | ${change > 0 ? `+${change}` : change} |`,
      );
    }
  }
  if (report.failures.length > 0) {
    lines.push(
      '',
      '## Failures',
      '',
      ...report.failures.map((failure) => `- ${failure.replaceAll('\n', ' ')}`),
    );
  }
  return `${lines.join('\n')}\n`;
}

function outcomeMark(outcome: DrillReport['steps'][number]['outcome']): string {
  return outcome === 'succeeded' ? 'succeeded' : outcome === 'failed' ? '**FAILED**' : 'skipped';
}

function cell(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function list(items: string[]): string {
  return items.length === 0 ? 'none' : items.map((item) => `\`${item}\``).join(', ');
}

/** Pure: `850 ms`, `12.3 s`, `2 min 5 s`. */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1_000) return `${Math.round(milliseconds)} ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1_000).toFixed(1)} s`;
  const seconds = Math.round(milliseconds / 1_000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
