import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlanStep } from '../plan/plan-step.js';
import { JournalWriter, type RestoreJournal } from './restore-journal.js';
import type { RestoreProgressEvent } from './restore-progress.js';
import type { RestoreResult, RestoreStepResult } from './restore-result.js';
import { rollBackSteps } from './roll-back-steps.js';
import type { StepContext, StepExecutor } from './step-executor.js';

// The undo path applyRestore's tests do not reach: an undo that fails, a step left `started` by a kill.

const step = (id: string): PlanStep => ({
  id,
  kind: 'test.step',
  title: `Do ${id}`,
  description: id,
  commands: [`echo ${id}`],
  undo: { description: `undo ${id}`, commands: [] },
  params: {},
});

function journalOf(steps: RestoreJournal['steps']): RestoreJournal {
  return {
    journalVersion: 1,
    planId: 'p',
    bundlePath: '/b',
    plan: {} as RestoreJournal['plan'],
    startedAt: '2026-11-26T17:00:00.000Z',
    updatedAt: '2026-11-26T17:00:00.000Z',
    outcome: 'running',
    steps,
    runs: [],
  };
}

describe('rollBackSteps', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'etcd-dr-rollback-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('goes on past an undo that fails, journals it, and says the rollback is incomplete', async () => {
    const steps = [step('a'), step('b'), step('c'), step('d')];
    const writer = new JournalWriter({
      workDirectory: directory,
      journal: journalOf({
        a: { status: 'succeeded' },
        b: { status: 'succeeded' },
        c: { status: 'started' },
      }),
    });
    const undone: string[] = [];
    const executor: StepExecutor = {
      apply: async () => undefined,
      async undo(current) {
        if (current.id === 'b') throw new Error('b is stuck\nsecond line');
        undone.push(current.id);
      },
    };
    const events: RestoreProgressEvent[] = [];
    const finished: Array<{ outcome: string; detail: string }> = [];
    const stepResults = new Map<string, RestoreStepResult>([
      ['a', { id: 'a', title: 'Do a', outcome: 'succeeded', durationMs: 7 }],
    ]);
    const error = await rollBackSteps({
      steps,
      failure: { step: steps[2]!, error: new Error('c broke') },
      writer,
      executors: { 'test.step': executor },
      context: () => ({}) as StepContext,
      onProgress: (event) => events.push(event),
      stepResults,
      finish: async (outcome, detail) => {
        finished.push({ outcome, detail });
        return { outcome } as RestoreResult;
      },
    });

    expect(undone).toEqual(['c', 'a']);
    expect(error.code).toBe('RESTORE_STEP_FAILED');
    expect(error.step).toBe('c');
    expect(error.message).toBe('step c failed (c broke) and the rollback is incomplete: b: b is stuck');
    expect(error.remedy).toContain(writer.path);
    expect(error.result?.outcome).toBe('failed');
    expect(finished).toEqual([
      { outcome: 'failed', detail: 'c failed: c broke; undo failed: b: b is stuck' },
    ]);
    expect(events.map((event) => `${event.stepId}:${'status' in event ? event.status : ''}`)).toEqual([
      'c:started',
      'c:undone',
      'b:started',
      'b:failed',
      'a:started',
      'a:undone',
    ]);
    expect(stepResults.get('a')).toEqual({ id: 'a', title: 'Do a', outcome: 'undone', durationMs: 7 });
    expect(stepResults.has('b')).toBe(false);
    const journal = JSON.parse(await readFile(writer.path, 'utf8')) as RestoreJournal;
    expect(journal.steps).toEqual({
      a: { status: 'undone' },
      b: { status: 'undo-failed', error: 'b is stuck' },
      c: { status: 'undone' },
    });
  });
});
