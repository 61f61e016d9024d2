import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBundle } from '../bundle/read-bundle.js';
import { writeSampleBundle } from '../bundle/sample-bundle.test-support.js';
import { clusterConfigSchema } from '../cluster/cluster-config.js';
import type { PlanStep } from '../plan/plan-step.js';
import type { RestorePlan } from '../restore/restore-plan.js';
import { applyRestore, type FailedRestoreError } from './apply-restore.js';
import type { StepExecutor } from './step-executor.js';

// The engine's own logic (order, parallel batches, journal, resume, rollback) with in-memory executors that
// record what they were asked; the real executors are proven against the lab in the e2e tests.

const config = clusterConfigSchema.parse({
  apiVersion: 'etcd-dr/v1',
  kind: 'ClusterConfig',
  adminCluster: { kubeconfig: '/nonexistent/admin.kubeconfig' },
  userCluster: { name: 'user-1', kubeconfig: '/nonexistent/user.kubeconfig' },
});

const step = (id: string, options: { parallelGroup?: string; undo?: boolean } = {}): PlanStep => ({
  id,
  kind: 'test.step',
  title: `Do ${id}`,
  description: id,
  commands: [`echo ${id}`],
  ...(options.undo === false ? {} : { undo: { description: `undo ${id}`, commands: [] } }),
  params: {},
  ...(options.parallelGroup ? { parallelGroup: options.parallelGroup } : {}),
});

function planOf(steps: PlanStep[]): RestorePlan {
  return {
    kind: 'restore',
    planVersion: 1,
    createdAt: '2026-11-26T17:00:00.000Z',
    cluster: {
      name: 'user-1',
      topology: 'kubeception',
      ha: false,
      members: [{ name: 'm', peerUrl: 'https://m:2380' }],
    },
    bundle: {
      path: '/b',
      createdAt: '2026-11-26T14:00:00.000Z',
      revision: 1234,
      totalKeys: 567,
      etcdVersion: '3.4.23',
    },
    steps,
    warnings: [],
  };
}

function recorder(options: { failOn?: string; delayMs?: number } = {}) {
  const events: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const executor: StepExecutor = {
    async apply(current) {
      running++;
      maxRunning = Math.max(maxRunning, running);
      events.push(`apply ${current.id}`);
      await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 5));
      running--;
      if (current.id === options.failOn) throw new Error(`${current.id} broke`);
      return { done: current.id };
    },
    async undo(current) {
      events.push(`undo ${current.id}`);
    },
  };
  return { events, executor, maxRunning: () => maxRunning };
}

describe('applyRestore (engine)', () => {
  let directory: string;
  let bundlePath: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'etcd-dr-apply-'));
    bundlePath = (await writeSampleBundle({ directory: join(directory, 'bundles') })).path;
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('runs steps in order, a parallel group at once, journals outputs and appends the report to the bundle', async () => {
    const { events, executor, maxRunning } = recorder({ delayMs: 30 });
    const plan = planOf([
      step('a'),
      step('m0', { parallelGroup: 'g' }),
      step('m1', { parallelGroup: 'g' }),
      step('b'),
    ]);
    const workDirectory = join(directory, 'work');
    const result = await applyRestore({
      plan,
      config,
      bundlePath,
      workDirectory,
      executors: { 'test.step': executor },
      toolVersion: '9.9.9',
    });
    expect(events).toEqual(['apply a', 'apply m0', 'apply m1', 'apply b']);
    expect(maxRunning()).toBe(2);
    expect(result).toMatchObject({
      outcome: 'succeeded',
      revision: 1234,
      totalKeys: 567,
      bundleReport: 'appended',
    });
    expect(result.steps.map((entry) => entry.outcome)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    const journal = JSON.parse(await readFile(join(workDirectory, 'journal.json'), 'utf8'));
    expect(journal.outcome).toBe('succeeded');
    expect(journal.steps.m1.outputs).toEqual({ done: 'm1' });
    const manifest = JSON.parse(await readFile(join(bundlePath, 'manifest.json'), 'utf8'));
    expect(manifest.restores).toEqual([
      expect.objectContaining({ toolVersion: '9.9.9', targetCluster: 'user-1', outcome: 'succeeded' }),
    ]);
  });

  it('on a failure undoes the failed step and every completed one in reverse order, and says so', async () => {
    const { events, executor } = recorder({ failOn: 'c' });
    const plan = planOf([step('a'), step('b', { undo: false }), step('c'), step('d')]);
    const error = (await applyRestore({
      plan,
      config,
      bundlePath,
      workDirectory: join(directory, 'work'),
      executors: { 'test.step': { ...executor, undo: executor.undo! } },
    }).catch((caught: unknown) => caught)) as FailedRestoreError;
    expect(error.code).toBe('RESTORE_STEP_FAILED');
    expect(error.message).toBe(
      'step c failed (c broke); rolled back: c, b, a; the cluster is as before the restore',
    );
    expect(events).toEqual(['apply a', 'apply b', 'apply c', 'undo c', 'undo b', 'undo a']);
    expect(error.result?.outcome).toBe('rolled-back');
    expect(error.result?.steps.map((entry) => `${entry.id}:${entry.outcome}`)).toEqual([
      'a:undone',
      'b:undone',
      'c:undone',
      'd:not-run',
    ]);
  });

  it('stops without undoing when asked, and a resume re-runs the failed step and skips the done ones', async () => {
    const workDirectory = join(directory, 'work');
    const plan = planOf([step('a'), step('b'), step('c')]);
    const failing = recorder({ failOn: 'b' });
    const error = (await applyRestore({
      plan,
      config,
      bundlePath,
      workDirectory,
      stopOnFailure: true,
      executors: { 'test.step': failing.executor },
    }).catch((caught: unknown) => caught)) as FailedRestoreError;
    expect(error.message).toMatch(
      /^step b failed \(b broke\); stopped there as asked, nothing undone; done before it: a$/,
    );
    expect(failing.events).toEqual(['apply a', 'apply b']);

    const fresh = await applyRestore({
      plan,
      config,
      bundlePath,
      workDirectory,
      executors: { 'test.step': recorder().executor },
    }).catch((caught: unknown) => caught);
    expect(fresh).toMatchObject({ code: 'RESTORE_JOURNAL_CONFLICT' });

    const working = recorder();
    const result = await applyRestore({
      config,
      bundlePath,
      workDirectory,
      resume: true,
      executors: { 'test.step': working.executor },
    });
    expect(working.events).toEqual(['apply b', 'apply c']);
    expect(result.steps.map((entry) => `${entry.id}:${entry.outcome}`)).toEqual([
      'a:skipped',
      'b:succeeded',
      'c:succeeded',
    ]);
    const again = await applyRestore({ config, bundlePath, workDirectory, resume: true }).catch(
      (caught: unknown) => caught,
    );
    expect(again).toMatchObject({
      code: 'RESTORE_JOURNAL_CONFLICT',
      message: expect.stringContaining('nothing to resume'),
    });
  });

  it('refuses a plan whose step kind has no executor before doing anything', async () => {
    const error = await applyRestore({
      plan: planOf([step('a'), { ...step('x'), kind: 'controlplane-v2.unknown' }]),
      config,
      bundlePath,
      workDirectory: join(directory, 'work'),
      executors: { 'test.step': recorder().executor },
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'RESTORE_EXECUTOR_MISSING', step: 'x' });
  });

  it('leaves a .tar bundle untouched and says the report was skipped', async () => {
    const tar = (await writeSampleBundle({ directory: join(directory, 'tars'), format: 'tar' })).path;
    const before = await readFile(tar);
    const result = await applyRestore({
      plan: planOf([step('a')]),
      config,
      bundlePath: tar,
      bundle: await readBundle({ path: tar }),
      workDirectory: join(directory, 'work'),
      executors: { 'test.step': recorder().executor },
    });
    expect(result.bundleReport).toBe('skipped');
    expect((await readFile(tar)).equals(before)).toBe(true);
  });
});
