import type { BundleManifest } from '@etcd-dr/sdk';
import type { DrillReport } from '@etcd-dr/verify';
import { describe, expect, it } from 'vitest';
import { renderDrillSummary } from './render-drill-summary.js';

const manifest = {
  createdAt: '2026-11-26T02:00:00.000Z',
  cluster: { name: 'user-1', topology: 'kubeception', ha: false, members: [] },
  snapshot: { revision: 4242, totalKeys: 917, hash: 'hashed' },
} as unknown as BundleManifest;
const artifact = {
  id: 12,
  name: 'user-1-20261126T020000Z.tar',
  digest: 'sha256:feed',
  from: 'run 77 of octo/clusters',
};

function report(overrides: Partial<DrillReport>): DrillReport {
  return {
    reportVersion: 1,
    verdict: 'passed',
    mode: 'sandbox',
    cluster: { name: 'user-1', topology: 'kubeception', ha: false },
    startedAt: '2026-11-26T03:00:00.000Z',
    finishedAt: '2026-11-26T03:01:30.000Z',
    durationMs: 90_000,
    steps: [
      { name: 'restore', outcome: 'succeeded', durationMs: 60_000 },
      { name: 'inventory', outcome: 'succeeded', durationMs: 30_000 },
    ],
    inventoryDiff: [],
    failures: [],
    ...overrides,
  };
}

describe('renderDrillSummary', () => {
  it('leads with the verdict, then the backup drilled from, then the engine’s report', () => {
    const text = renderDrillSummary({
      artifact,
      manifest,
      verifiedFiles: 5,
      drill: { report: report({}), markdown: '### Steps\n\n| restore | ok |\n' },
    });
    expect(text.startsWith('## etcd-dr restore drill: PASSED\n')).toBe(true);
    expect(text).toContain('Sandbox drill of user-1: 2 steps, 0 failed, 90.0 s.');
    expect(text).toContain(
      '| Artifact | `user-1-20261126T020000Z.tar` (id 12) from run 77 of octo/clusters |',
    );
    expect(text).toContain('| Revision | 4242 (917 keys) |');
    expect(text).toContain('| Verified | 5 files, size and SHA-256 |');
    expect(text.trimEnd().endsWith('| restore | ok |')).toBe(true);
    expect(text).not.toContain('Failures');
  });

  it('lists the failures of a failed drill', () => {
    const failed = report({
      verdict: 'failed',
      mode: 'target',
      steps: [{ name: 'probes', outcome: 'failed', durationMs: 5 }],
      failures: ['configmap default/after-backup is still present'],
    });
    const text = renderDrillSummary({
      artifact,
      manifest,
      verifiedFiles: 5,
      drill: { report: failed, markdown: '' },
    });
    expect(text).toContain('## etcd-dr restore drill: FAILED');
    expect(text).toContain('Target drill of user-1: 1 steps, 1 failed, 90.0 s.');
    expect(text).toContain('- configmap default/after-backup is still present');
  });

  it('shows the error when the drill did not run', () => {
    const text = renderDrillSummary({
      artifact,
      manifest,
      verifiedFiles: 5,
      error: 'CONFIG_INVALID: x',
    });
    expect(text).toContain('## etcd-dr restore drill: DID NOT RUN');
    expect(text).toContain('**Error:** CONFIG_INVALID: x');
  });
});
