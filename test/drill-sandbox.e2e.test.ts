import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DrillStepEvent, renderDrillMarkdown, runDrill } from '@etcd-dr/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../packages/sandbox/src/lab/start-sandbox.js';

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

// Passing drills of all four variants, with the real restore, are in packages/cli/src/commands/drill.e2e.test.ts.
describe('runDrill on a fresh Kubeception lab (non-HA), with a failing restore injected', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-drill-'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('fails the drill when the restore fails, skips what follows, and still removes the lab', async () => {
    const events: DrillStepEvent[] = [];
    const report = await runDrill({
      mode: 'sandbox',
      topology: 'kubeception',
      startSandbox,
      restore: async () => {
        throw new Error('restore engine exploded');
      },
      workDirectory: base,
      onStep: (event) => events.push(event),
    });
    expect(events.filter((event) => event.status === 'started').map((event) => event.step)).toEqual(
      sandboxSteps.filter((step) => !['verify', 'check-probes', 'compare-inventory'].includes(step)),
    );
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
});
