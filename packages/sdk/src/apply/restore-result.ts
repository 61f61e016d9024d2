import type { RestoreError } from '../restore/restore-error.js';

/** One step of a finished restore. */
export interface RestoreStepResult {
  id: string;
  title: string;
  /** `skipped`: already done by an earlier run that was resumed. */
  outcome: 'succeeded' | 'skipped' | 'failed' | 'undone' | 'not-run';
  durationMs: number;
}

/** What `applyRestore` returns (and what a thrown RestoreError carries as `result`). */
export interface RestoreResult {
  outcome: 'succeeded' | 'failed' | 'rolled-back';
  planId: string;
  cluster: string;
  /** The snapshot's revision (the members report it or later). */
  revision: number;
  totalKeys: number;
  durationMs: number;
  steps: RestoreStepResult[];
  /** Every member's state at the end, from the plan's health-check step. */
  members: Array<{ name: string; healthy: boolean; revision: number }>;
  /** The journal file (kept after the restore, for audit). */
  journalPath: string;
  /** `appended` to the bundle manifest's `restores`; `skipped` for a `.tar` bundle (not rewritten). */
  bundleReport: 'appended' | 'skipped' | 'failed';
  warnings: string[];
}

/** A RestoreError with the result of the failed or rolled-back restore. */
export type FailedRestoreError = RestoreError & { result?: RestoreResult };

/**
 * Attaches `result` to `error` as a non-enumerable `result` (kept out of the error's JSON form); no result
 * (an interrupted restore) leaves the error as it is. Returns the same error.
 */
export function withRestoreResult(
  error: RestoreError,
  result: RestoreResult | undefined,
): FailedRestoreError {
  if (result) Object.defineProperty(error, 'result', { value: result, enumerable: false });
  return error;
}
