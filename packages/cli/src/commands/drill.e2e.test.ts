import { access, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DrillReport } from '@etcd-dr/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/run-cli.js';

// The whole drill on a fresh lab per variant: probes before and after the backup, the break (member 0, or
// members 0 and 1 for HA), the real restore engine, the lab's gkectl and the native checks, then the lab removed.
describe('etcd-dr drill --sandbox (real lab, real restore)', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-cli-drill-'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it.each([
    ['kubeception', false],
    ['kubeception', true],
    ['controlplane-v2', false],
    ['controlplane-v2', true],
  ] as const)(
    '%s (HA %s): passes, with the before-probes back, the after-probes gone and no inventory difference',
    async (topology, ha) => {
      const reports = join(base, `reports-${topology}-${ha}`);
      const result = await runCli([
        'drill',
        '--sandbox',
        topology,
        ...(ha ? ['--ha'] : []),
        '--report-dir',
        reports,
      ]);
      expect(result.stdout).toMatch(/^# etcd-dr drill: PASSED\n/);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/^drill: start-sandbox \.\.\.\n/);
      expect(result.stderr).toMatch(/drill: stop-sandbox succeeded \(.+\): lab stopped and removed\n/);
      const files = (await readdir(reports)).sort();
      expect(files).toEqual([
        expect.stringMatching(/^drill-user-cluster-1-.*\.json$/),
        expect.stringMatching(/\.md$/),
      ]);
      expect(await readFile(join(reports, files[1]!), 'utf8')).toBe(result.stdout);
      const report = JSON.parse(await readFile(join(reports, files[0]!), 'utf8')) as DrillReport;
      expect(report.verdict).toBe('passed');
      expect(report.failures).toEqual([]);
      expect(report.cluster).toEqual({ name: 'user-cluster-1', topology, ha });
      expect(report.steps.map((step) => `${step.name}:${step.outcome}`)).toEqual([
        'start-sandbox:succeeded',
        'create-probes-before:succeeded',
        'backup:succeeded',
        'create-probes-after:succeeded',
        'break-cluster:succeeded',
        'restore:succeeded',
        'verify:succeeded',
        'check-probes:succeeded',
        'compare-inventory:succeeded',
        'stop-sandbox:succeeded',
      ]);
      expect(report.steps.find((step) => step.name === 'break-cluster')?.detail).toContain(
        ha ? 'member(s) 0, 1' : 'member(s) 0',
      );
      expect(report.probes?.expectedPresent.length).toBeGreaterThan(0);
      expect(report.probes?.expectedAbsent.length).toBeGreaterThan(0);
      expect(report.probes?.missing).toEqual([]);
      expect(report.probes?.unexpected).toEqual([]);
      expect(report.inventoryDiff).toEqual([]);
      expect(report.restore?.revision).toBe(report.backup?.revision);
      expect(report.steps.find((step) => step.name === 'verify')?.detail).toMatch(/gkectl-diagnose/);
      const labDir = report.steps[0]?.detail?.replace(/^lab in /, '') ?? '';
      expect(labDir).toMatch(/etcd-dr-drill-.*\/lab$/);
      await expect(access(labDir)).rejects.toThrow(/ENOENT/);
    },
  );
});
