import type { PlanStep } from '../plan/plan-step.js';
import { RestoreError } from '../restore/restore-error.js';
import { oneLineError } from './one-line-error.js';
import type { JournalWriter } from './restore-journal.js';
import type { RestoreProgressEvent } from './restore-progress.js';
import {
  type FailedRestoreError,
  type RestoreResult,
  type RestoreStepResult,
  withRestoreResult,
} from './restore-result.js';
import type { StepContext, StepExecutor } from './step-executor.js';

/** Options of {@link rollBackSteps}. */
export interface RollBackStepsOptions {
  /** Every step of the plan, in plan order. */
  steps: readonly PlanStep[];
  /** The step whose failure started the rollback, and its error. */
  failure: { step: PlanStep; error: unknown };
  /** The run's journal: says which steps ran (started, succeeded or failed); each undo is recorded in it. */
  writer: JournalWriter;
  /** Executors by step kind; a step whose executor has no `undo` has nothing to put back and is passed over. */
  executors: Record<string, StepExecutor>;
  /** The context an executor's `undo` gets for a step. */
  context: (step: PlanStep) => StepContext;
  /** Receives an `undo` event as each undo starts and ends; must not throw. */
  onProgress: (event: RestoreProgressEvent) => void;
  /** The results of the steps of this run, by step id: an undone step's outcome becomes `undone` here. */
  stepResults: Map<string, RestoreStepResult>;
  /**
   * Ends the restore with `outcome` (`rolled-back` when every undo succeeded, else `failed`) and `detail`:
   * records it in the journal and the bundle report and returns the result the error carries.
   */
  finish: (outcome: RestoreResult['outcome'], detail: string) => Promise<RestoreResult>;
}

/**
 * Undoes, in reverse plan order, what the steps that ran changed (the completed ones, the failed one and any
 * left `started`), journaling each undo (`undoing`, then `undone` or `undo-failed`). An undo that fails does
 * not stop the others. Then finishes the restore and returns, for the caller to throw, the error that says
 * where the cluster stands: rolled back and as before the restore, or which undos failed and are left to do
 * by hand.
 * @returns RestoreError `RESTORE_STEP_FAILED` carrying the restore's `result`.
 */
export async function rollBackSteps(options: RollBackStepsOptions): Promise<FailedRestoreError> {
  const { failure, writer, executors, stepResults } = options;
  const journal = writer.journal;
  const cause = oneLineError(failure.error);
  const toUndo = options.steps
    .filter((step) => ['succeeded', 'failed', 'started'].includes(journal.steps[step.id]?.status ?? ''))
    .reverse();
  const undoFailures: string[] = [];
  for (const step of toUndo) {
    const executor = executors[step.kind]!;
    if (!executor.undo) continue;
    options.onProgress({ kind: 'undo', stepId: step.id, title: step.title, status: 'started' });
    await writer.step(step.id, { status: 'undoing' });
    try {
      await executor.undo(step, options.context(step));
      await writer.step(step.id, { status: 'undone' });
      stepResults.set(step.id, {
        id: step.id,
        title: step.title,
        outcome: 'undone',
        durationMs: stepResults.get(step.id)?.durationMs ?? 0,
      });
      options.onProgress({ kind: 'undo', stepId: step.id, title: step.title, status: 'undone' });
    } catch (error) {
      const reason = oneLineError(error);
      undoFailures.push(`${step.id}: ${reason}`);
      await writer.step(step.id, { status: 'undo-failed', error: reason });
      options.onProgress({
        kind: 'undo',
        stepId: step.id,
        title: step.title,
        status: 'failed',
        detail: reason,
      });
    }
  }
  if (undoFailures.length === 0) {
    const result = await options.finish('rolled-back', `${failure.step.id} failed: ${cause}`);
    return withRestoreResult(
      new RestoreError({
        code: 'RESTORE_STEP_FAILED',
        step: failure.step.id,
        message: `step ${failure.step.id} failed (${cause}); rolled back: ${toUndo
          .filter((step) => executors[step.kind]!.undo)
          .map((step) => step.id)
          .join(', ')}; the cluster is as before the restore`,
        remedy: 'fix the cause named above and run the restore again',
        cause: failure.error,
      }),
      result,
    );
  }
  const result = await options.finish(
    'failed',
    `${failure.step.id} failed: ${cause}; undo failed: ${undoFailures.join('; ')}`,
  );
  return withRestoreResult(
    new RestoreError({
      code: 'RESTORE_STEP_FAILED',
      step: failure.step.id,
      message: `step ${failure.step.id} failed (${cause}) and the rollback is incomplete: ${undoFailures.join('; ')}`,
      remedy: `finish the undo by hand (each step's undo is in the plan; the journal is ${writer.path})`,
      cause: failure.error,
    }),
    result,
  );
}
