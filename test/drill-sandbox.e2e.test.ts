import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DrillStepEvent, renderDrillMarkdown, runDrill } from '@etcd-dr/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../packages/sandbox/src/lab/start-sandbox.js';
import { runbookKubeceptionHaRestore, runbookKubeceptionRestore } from './runbook-kubeception-restore.js';

const sandboxSteps = [
  'start-sandbox',
  'create-probes-before',
  'backup',
  'create-probes-after',
  'break-cluster',
  'restore',
  'verify',
  'check-probes',
  'compare-inventory',
  'stop-sandbox',
];

describe('runDrill on a fresh Kubeception lab (non-HA), with the runbook restore injected', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-drill-'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('backs up, breaks, restores, proves the probes and reports a passed drill; the lab is gone after', async () => {
    const events: DrillStepEvent[] = [];
    const report = await runDrill({
      mode: 'sandbox',
      topology: 'kubeception',
      startSandbox,
      restore: runbookKubeceptionRestore,
      workDirectory: base,
      onStep: (event) => events.push(event),
    });
    expect(report.failures).toEqual([]);
    expect(report.verdict).toBe('passed');
    expect(report.steps.map((step) => [step.name, step.outcome])).toEqual(
      sandboxSteps.map((name) => [name, 'succeeded']),
    );
    expect(events.filter((event) => event.status === 'started').map((event) => event.step)).toEqual(
      sandboxSteps,
    );
    expect(report.cluster).toEqual({ name: 'user-cluster-1', topology: 'kubeception', ha: false });
    expect(report.probes?.expectedPresent).toHaveLength(3);
    expect(report.probes?.expectedAbsent).toHaveLength(2);
    expect(report.probes?.expectedPresent.every((name) => name.startsWith('drill-before-'))).toBe(true);
    expect(report.probes).toMatchObject({ missing: [], unexpected: [] });
    // The after-probes are gone and the before-probes back: configmaps count as in the bundle.
    expect(report.inventoryDiff.filter((row) => row.resource === 'configmaps')).toEqual([]);
    expect(report.backup?.revision).toBeGreaterThan(0);
    expect(report.backup?.bytes).toBeGreaterThan(0);
    expect(report.restore?.revision).toBe(report.backup?.revision);
    expect(report.steps.find((step) => step.name === 'break-cluster')?.detail).toMatch(
      /failing: .*etcd-members-healthy/,
    );
    expect(report.steps.find((step) => step.name === 'verify')?.detail).toContain('gkectl-diagnose');
    const markdown = renderDrillMarkdown(report);
    expect(markdown).toMatch(/^# etcd-dr drill: PASSED\n/);
    expect(markdown).toContain('| restore | succeeded |');
    expect(await readdir(base)).toEqual([]);
  });

  it('fails the drill when the restore fails, skips what follows, and still removes the lab', async () => {
    const report = await runDrill({
      mode: 'sandbox',
      topology: 'kubeception',
      startSandbox,
      restore: async () => {
        throw new Error('restore engine exploded');
      },
      workDirectory: base,
    });
    expect(report.verdict).toBe('failed');
    expect(report.failures).toEqual(['restore: restore engine exploded']);
    expect(Object.fromEntries(report.steps.map((step) => [step.name, step.outcome]))).toEqual({
      'start-sandbox': 'succeeded',
      'create-probes-before': 'succeeded',
      backup: 'succeeded',
      'create-probes-after': 'succeeded',
      'break-cluster': 'succeeded',
      restore: 'failed',
      verify: 'skipped',
      'check-probes': 'skipped',
      'compare-inventory': 'skipped',
      'stop-sandbox': 'succeeded',
    });
    expect(report.restore).toBeUndefined();
    expect(renderDrillMarkdown(report)).toContain('## Failures\n\n- restore: restore engine exploded');
    expect(await readdir(base)).toEqual([]);
  });

  it('drills an HA lab: two of three members broken, all three restored, the probes proven', async () => {
    const report = await runDrill({
      mode: 'sandbox',
      topology: 'kubeception',
      ha: true,
      startSandbox,
      restore: runbookKubeceptionHaRestore,
      workDirectory: base,
    });
    expect(report.failures).toEqual([]);
    expect(report.verdict).toBe('passed');
    expect(report.cluster).toEqual({ name: 'user-cluster-1', topology: 'kubeception', ha: true });
    expect(report.steps.find((step) => step.name === 'break-cluster')?.detail).toMatch(
      /^corrupted the data of member\(s\) 0, 1; then: failing: /,
    );
    expect(report.steps.find((step) => step.name === 'verify')?.detail).toMatch(
      /members kube-etcd-0@\d+, kube-etcd-1@\d+, kube-etcd-2@\d+$/,
    );
    expect(report.probes).toMatchObject({ missing: [], unexpected: [] });
    expect(report.inventoryDiff.filter((row) => row.resource === 'configmaps')).toEqual([]);
    expect(await readdir(base)).toEqual([]);
  });
});
