import type { BackupPlan } from '@etcd-dr/sdk';

/** Pure: what `etcd-dr backup --plan` prints: numbered steps, each with its equivalent commands. */
export function formatBackupPlan(plan: BackupPlan): string {
  const lines = [
    `Backup plan for ${plan.cluster.name} (${plan.cluster.topology}${plan.includeAdmin ? ', with the admin cluster' : ', without the admin cluster'}, ${plan.encrypted ? 'age-encrypted' : 'NOT encrypted'}). Nothing was changed.`,
    '',
  ];
  plan.steps.forEach((step, index) => {
    lines.push(`${index + 1}. ${step.title}`);
    lines.push(`   ${step.description}`);
    if (step.departsFromRunbook) lines.push(`   Departs from the runbook: ${step.departsFromRunbook}.`);
    for (const command of step.commands) lines.push(`   $ ${command}`);
    lines.push('');
  });
  return `${lines.join('\n')}`;
}
