import type { ClusterVerification } from '@etcd-dr/verify';

const marks = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' } as const;

/**
 * Pure: what `etcd-dr verify` prints: the verdict, each check with its reasons, the etcd members, and the
 * inventory diff against a bundle when one was given. Counts and names only, never a secret value.
 */
export function formatVerification(verification: ClusterVerification): string {
  const { cluster } = verification;
  const lines = [
    `${cluster.name} (${cluster.topology}, ${cluster.ha ? 'HA' : 'non-HA'}): ${verification.verdict === 'healthy' ? 'HEALTHY' : 'UNHEALTHY'}`,
  ];
  const width = Math.max(...verification.checks.map((check) => check.name.length));
  for (const check of verification.checks) {
    const [first = '', ...rest] = check.reasons;
    lines.push(`  ${marks[check.outcome]}  ${check.name.padEnd(width)}  ${first}`.trimEnd());
    for (const reason of rest) lines.push(`        ${' '.repeat(width)}  ${reason}`);
  }
  if (verification.members.length > 0) {
    lines.push('etcd members:');
    for (const member of verification.members) {
      const facts = member.healthy
        ? [
            'healthy',
            member.isLeader ? 'leader' : 'follower',
            `revision ${member.revision}`,
            `raft index ${member.raftIndex}`,
            `etcd ${member.version}`,
          ]
        : ['UNHEALTHY', member.problem ?? ''];
      lines.push(`  ${member.pod}  ${facts.join('  ')}`);
    }
  }
  const { inventory } = verification;
  if (inventory) {
    lines.push(
      `inventory: bundle ${inventory.bundlePath} (cluster ${inventory.bundleCluster}, revision ${inventory.bundleRevision}, ${inventory.bundleKeys} keys) vs live (${inventory.liveKeys} keys, read from ${inventory.livePod}):`,
    );
    if (inventory.diff.length === 0) {
      lines.push('  the live keys match the bundle per resource and namespace');
    } else {
      const rows = [
        ['resource', 'namespace', 'bundle', 'live', 'change'],
        ...inventory.diff.map((row) => {
          const change = row.live - row.bundle;
          return [
            row.resource,
            row.namespace ?? '(cluster)',
            `${row.bundle}`,
            `${row.live}`,
            change > 0 ? `+${change}` : `${change}`,
          ];
        }),
      ];
      const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
      for (const row of rows) {
        lines.push(`  ${row.map((value, column) => value.padEnd(widths[column]!)).join('  ')}`.trimEnd());
      }
    }
  }
  for (const warning of verification.warnings) lines.push(`warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}
