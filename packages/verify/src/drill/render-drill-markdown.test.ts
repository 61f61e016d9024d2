import { describe, expect, it } from 'vitest';
import type { DrillReport } from './drill-report.js';
import { formatDuration, renderDrillMarkdown } from './render-drill-markdown.js';

const passedReport: DrillReport = {
  reportVersion: 1,
  verdict: 'passed',
  mode: 'sandbox',
  cluster: { name: 'user-cluster-1', topology: 'kubeception', ha: true },
  startedAt: '2026-11-26T17:00:00.000Z',
  finishedAt: '2026-11-26T17:01:05.000Z',
  durationMs: 65_000,
  steps: [
    { name: 'backup', outcome: 'succeeded', durationMs: 1_500, detail: 'bundle /tmp/b: revision 42' },
    { name: 'restore', outcome: 'succeeded', durationMs: 12_345, detail: 'restored revision 42 in 12345 ms' },
    { name: 'compare-inventory', outcome: 'succeeded', durationMs: 0, detail: 'the live keys match' },
  ],
  backup: { bundlePath: '/tmp/b', bytes: 3 * 1024 * 1024, revision: 42, totalKeys: 120 },
  restore: { revision: 42, durationMs: 12_345 },
  inventoryDiff: [],
  probes: {
    expectedPresent: ['drill-before-1'],
    expectedAbsent: ['drill-after-1'],
    missing: [],
    unexpected: [],
  },
  failures: [],
};

describe('renderDrillMarkdown', () => {
  it('renders the verdict, cluster, backup and restore facts, steps, probes and a clean inventory', () => {
    expect(renderDrillMarkdown(passedReport)).toBe(`# etcd-dr drill: PASSED

| | |
| --- | --- |
| Cluster | user-cluster-1 (kubeception, HA) |
| Mode | sandbox (a fresh lab, created and removed) |
| Started | 2026-11-26T17:00:00.000Z |
| Duration | 1 min 5 s |
| Backup | /tmp/b: 3.0 MiB, revision 42, 120 keys |
| Restore | revision 42 in 12.3 s |

## Steps

| Step | Outcome | Duration | Detail |
| --- | --- | --- | --- |
| backup | succeeded | 1.5 s | bundle /tmp/b: revision 42 |
| restore | succeeded | 12.3 s | restored revision 42 in 12345 ms |
| compare-inventory | succeeded | 0 ms | the live keys match |

## Probes

- Created before the backup, must be back: \`drill-before-1\`; missing: none
- Created after the backup, must be gone: \`drill-after-1\`; still present: none

## Inventory diff (bundle vs live, after the restore)

No difference: the live keys match the bundle per resource and namespace.
`);
  });

  it('renders the diff table with signed changes, failures, and escapes table cells', () => {
    const markdown = renderDrillMarkdown({
      ...passedReport,
      verdict: 'failed',
      mode: 'target',
      steps: [
        { name: 'pre-check', outcome: 'failed', durationMs: 800, detail: 'a | b\nc' },
        { name: 'compare-inventory', outcome: 'succeeded', durationMs: 1 },
      ],
      inventoryDiff: [
        { resource: 'configmaps', namespace: 'default', bundle: 3, live: 4 },
        { resource: 'namespaces', bundle: 5, live: 4 },
      ],
      probes: { ...passedReport.probes!, missing: ['drill-before-1'] },
      failures: ['pre-check: the cluster is unhealthy'],
    });
    expect(markdown).toMatch(/^# etcd-dr drill: FAILED\n/);
    expect(markdown).toContain('| Mode | target (existing cluster and bundle) |');
    expect(markdown).toContain('| pre-check | **FAILED** | 800 ms | a \\| b c |');
    expect(markdown).toContain('missing: `drill-before-1`');
    expect(markdown).toContain(
      '| Resource | Namespace | Bundle | Live | Change |\n| --- | --- | ---: | ---: | ---: |\n| configmaps | default | 3 | 4 | +1 |\n| namespaces | (cluster) | 5 | 4 | -1 |',
    );
    expect(markdown.endsWith('## Failures\n\n- pre-check: the cluster is unhealthy\n')).toBe(true);
  });

  it('says the inventory was not compared when its step did not succeed, instead of calling it identical', () => {
    const markdown = renderDrillMarkdown({
      ...passedReport,
      verdict: 'failed',
      steps: [
        { name: 'restore', outcome: 'failed', durationMs: 1, detail: 'boom' },
        { name: 'compare-inventory', outcome: 'skipped', durationMs: 0, detail: 'an earlier step failed' },
      ],
      failures: ['restore: boom'],
    });
    expect(markdown).toContain(
      '## Inventory diff (bundle vs live, after the restore)\n\nNot compared (compare-inventory skipped: an earlier step failed).\n',
    );
    expect(markdown).not.toContain('No difference');
  });
});

describe('formatDuration', () => {
  it('picks readable units', () => {
    expect([formatDuration(850), formatDuration(12_345), formatDuration(125_000)]).toEqual([
      '850 ms',
      '12.3 s',
      '2 min 5 s',
    ]);
  });
});
