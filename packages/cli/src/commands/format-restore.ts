import type { PreflightCheck, RestorePlan, RestoreProgressEvent, RestoreResult } from '@etcd-dr/sdk';

/** Pure: the plan as `etcd-dr restore --plan` prints it: checks, steps with commands and undo, warnings. */
export function formatRestorePlan(options: { plan: RestorePlan; checks: PreflightCheck[] }): string {
  const { plan, checks } = options;
  const lines = [
    `Restore plan for ${plan.cluster.name} (${plan.cluster.topology}, ${plan.cluster.ha ? 'HA' : 'non-HA'}: ${plan.cluster.members.map((member) => `${member.name}${member.node ? ` on ${member.node}` : ''}`).join(', ')})`,
    `  from bundle ${plan.bundle.path}`,
    `  snapshot    revision ${plan.bundle.revision}, ${plan.bundle.totalKeys} keys, etcd ${plan.bundle.etcdVersion}, taken ${plan.bundle.createdAt}`,
    '',
    'Pre-flight checks (passed):',
    ...checks.map((check) => `  ok  ${check.name}: ${check.detail}`),
    '',
    'Steps:',
  ];
  plan.steps.forEach((step, index) => {
    lines.push(
      `  ${index + 1}. ${step.title}${step.parallelGroup ? `   [parallel: ${step.parallelGroup}]` : ''}`,
    );
    lines.push(`     ${step.description}`);
    for (const command of step.commands) lines.push(`     $ ${command}`);
    if (step.undo) lines.push(`     undo: ${step.undo.description}`);
    if (step.departsFromRunbook) lines.push(`     departs from the runbook: ${step.departsFromRunbook}`);
  });
  if (plan.warnings.length > 0) {
    lines.push('', 'Warnings:', ...plan.warnings.map((warning) => `  ! ${warning}`));
  }
  lines.push('', 'Nothing was changed. Run the same command with --yes instead of --plan to apply it.', '');
  return lines.join('\n');
}

/** Pure: one stderr line per progress event worth a line, or undefined. */
export function formatRestoreProgress(event: RestoreProgressEvent): string | undefined {
  switch (event.kind) {
    case 'step':
      if (event.status === 'started') return `etcd-dr: ${event.title} ...`;
      if (event.status === 'skipped') return `etcd-dr: ${event.title}: already done (resumed)`;
      return `etcd-dr: ${event.title}: ${event.status === 'succeeded' ? 'done' : 'FAILED'} (${seconds(event.durationMs ?? 0)})${event.detail ? `: ${event.detail}` : ''}`;
    case 'undo':
      return `etcd-dr: undo ${event.stepId}: ${event.status}${event.detail ? `: ${event.detail}` : ''}`;
    case 'step-progress':
      return `etcd-dr:   ${event.stepId}: ${event.message}`;
  }
}

/** Pure: what `etcd-dr restore --yes` prints on stdout without --json. */
export function formatRestoreResult(result: RestoreResult): string {
  return [
    `Restored ${result.cluster}: revision ${result.revision}, ${result.totalKeys} keys, in ${seconds(result.durationMs)}`,
    ...result.members.map(
      (member) =>
        `  member ${member.name}: ${member.healthy ? 'healthy' : 'NOT healthy'}, revision ${member.revision}`,
    ),
    ...result.steps.map(
      (step) => `  ${step.outcome.padEnd(9)} ${seconds(step.durationMs).padStart(7)}  ${step.title}`,
    ),
    `  journal   ${result.journalPath}`,
    `  bundle    restore report ${result.bundleReport === 'appended' ? 'appended to manifest.json' : result.bundleReport === 'skipped' ? 'not written (a .tar bundle is not rewritten)' : 'could not be written'}`,
    ...result.warnings.map((warning) => `  warning   ${warning}`),
    '',
  ].join('\n');
}

function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)} s`;
}
