import type { DiagnoseOutput, DiagnoseVerdict } from './diagnose-output.js';

/** Options of {@link decideVerdict}. */
export interface DecideVerdictOptions {
  /** The parsed transcript. */
  output: DiagnoseOutput;
  /** gkectl's exit code; `null` when it was ended by a signal. */
  exitCode: number | null;
  /** The signal that ended gkectl, when one did. */
  exitSignal?: NodeJS.Signals | null;
}

/** The verdict of one gkectl run, with the sentences that explain it. */
export interface Decision {
  verdict: DiagnoseVerdict;
  reasons: string[];
}

/**
 * Combines what gkectl printed with how it exited; neither is trusted alone.
 *
 * Pure. Unhealthy text wins whatever the exit code (exit 0 with `Cluster is unhealthy!` is unhealthy).
 * Healthy text counts only with exit code 0; a healthy text with a non-zero exit, or any exit by signal,
 * is `unknown` with the reason stated.
 */
export function decideVerdict(options: DecideVerdictOptions): Decision {
  const { output, exitCode } = options;
  const exitSignal = options.exitSignal ?? null;
  const exitReason =
    exitSignal !== null ? `gkectl was ended by signal ${exitSignal}` : `gkectl exited with code ${exitCode}`;
  if (output.verdict === 'unhealthy') {
    return {
      verdict: 'unhealthy',
      reasons:
        exitCode === 0
          ? [...output.verdictReasons, `${exitReason} although its output says unhealthy`]
          : [...output.verdictReasons, exitReason],
    };
  }
  if (output.verdict === 'healthy') {
    if (exitCode === 0 && exitSignal === null) return { verdict: 'healthy', reasons: output.verdictReasons };
    return {
      verdict: 'unknown',
      reasons: [`${exitReason} although its output says "Cluster is healthy!"`, ...output.verdictReasons],
    };
  }
  return { verdict: 'unknown', reasons: [...output.verdictReasons, exitReason] };
}
