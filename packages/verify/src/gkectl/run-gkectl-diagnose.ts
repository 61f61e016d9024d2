import { resolve } from 'node:path';
import { VerifyError } from '../verify-error.js';
import { decideVerdict } from './decide-verdict.js';
import type { DiagnoseOutput, DiagnoseVerdict } from './diagnose-output.js';
import { parseDiagnoseOutput } from './parse-diagnose-output.js';
import { type DiagnoseReportResult, readDiagnoseReport } from './read-diagnose-report.js';
import { runProcessGroup } from './run-process-group.js';

/** One line gkectl printed, delivered as soon as it is complete. */
export interface DiagnoseLineEvent {
  type: 'line';
  stream: 'stdout' | 'stderr';
  text: string;
  /** Milliseconds since gkectl was started. */
  elapsedMs: number;
}

/** Options of {@link runGkectlDiagnose}. */
export interface RunGkectlDiagnoseOptions {
  /** Path of the admin cluster's kubeconfig (gkectl always takes the admin kubeconfig). */
  kubeconfig: string;
  /** The user cluster to diagnose; omit to diagnose the admin cluster itself. */
  clusterName?: string;
  /** The gkectl binary: a name looked up in PATH, or a path. Default `'gkectl'`. */
  gkectlPath?: string;
  /** Arguments appended after the standard ones, e.g. `['--config', 'user-cluster.yaml']`. Default none. */
  extraArgs?: string[];
  /** Working directory of gkectl; a relative report path resolves against it. Default: this process's. */
  cwd?: string;
  /** How long gkectl may run before its whole process group is killed. Milliseconds, > 0. */
  timeoutMs: number;
  /** Cancels the run: gkectl's process group is killed and the call rejects with `VERIFY_GKECTL_ABORTED`. */
  signal?: AbortSignal;
  /** Receives every line as it arrives. If it throws, gkectl is stopped and the call rejects with that error. */
  onLine?: (event: DiagnoseLineEvent) => void;
  /** Grace between SIGTERM and SIGKILL when gkectl must be stopped. Milliseconds. Default 2000. */
  killGraceMs?: number;
}

/** Result of {@link runGkectlDiagnose}. */
export interface GkectlDiagnoseResult {
  /** The verdict from output and exit code together (see `decideVerdict`). */
  verdict: DiagnoseVerdict;
  reasons: string[];
  /** The parsed output (stdout and stderr interleaved in arrival order). */
  output: DiagnoseOutput;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  durationMs: number;
  /** The command that ran, for the audit trail. */
  command: { file: string; args: string[] };
  /** Present when the output named a report file. */
  report: DiagnoseReportResult | undefined;
}

/**
 * Runs `gkectl diagnose cluster --kubeconfig ADMIN [--cluster-name USER] [extraArgs]`, streams its lines,
 * and returns the parsed output, the combined verdict, exit code and duration. Reads the JSON report file
 * when the output names one. Writes nothing to the console. An unhealthy cluster is a result, not an error.
 *
 * gkectl runs in its own process group, so a timeout or an abort also ends whatever it started.
 * @throws VerifyError `VERIFY_OPTIONS_INVALID`, `VERIFY_GKECTL_NOT_FOUND`, `VERIFY_GKECTL_NOT_EXECUTABLE`,
 *   `VERIFY_GKECTL_SPAWN_FAILED`, `VERIFY_GKECTL_TIMEOUT`, `VERIFY_GKECTL_ABORTED` (the last two carry the
 *   output parsed so far in `error.output`).
 */
export async function runGkectlDiagnose(options: RunGkectlDiagnoseOptions): Promise<GkectlDiagnoseResult> {
  const file = options.gkectlPath ?? 'gkectl';
  validate(options, file);
  const args = [
    'diagnose',
    'cluster',
    '--kubeconfig',
    options.kubeconfig,
    ...(options.clusterName ? ['--cluster-name', options.clusterName] : []),
    ...(options.extraArgs ?? []),
  ];
  if (options.signal?.aborted) throw abortedError(file, options.signal.reason);

  const onLine = options.onLine;
  const outcome = await runProcessGroup({
    file,
    args,
    cwd: options.cwd,
    timeoutMs: options.timeoutMs,
    killGraceMs: options.killGraceMs ?? 2000,
    signal: options.signal,
    onLine: onLine && ((line) => onLine({ type: 'line', ...line })),
  });
  switch (outcome.kind) {
    case 'spawn-failed':
      throw spawnError(file, outcome.error);
    case 'listener-failed':
      throw outcome.error;
    case 'aborted':
      throw withOutput(abortedError(file, outcome.reason), outcome.lines);
    case 'timed-out':
      throw withOutput(timeoutError(file, options.timeoutMs), outcome.lines);
  }
  const output = parseDiagnoseOutput(outcome.lines.join('\n'));
  const decision = decideVerdict({ output, exitCode: outcome.exitCode, exitSignal: outcome.exitSignal });
  const report =
    output.reportPath === undefined
      ? undefined
      : await readDiagnoseReport({ path: resolve(options.cwd ?? '', output.reportPath) });
  return {
    verdict: decision.verdict,
    reasons: decision.reasons,
    output,
    exitCode: outcome.exitCode,
    exitSignal: outcome.exitSignal,
    durationMs: outcome.durationMs,
    command: { file, args },
    report,
  };
}

function validate(options: RunGkectlDiagnoseOptions, file: string): void {
  const problems = [
    ...(typeof options.kubeconfig === 'string' && options.kubeconfig.trim() !== ''
      ? []
      : ['kubeconfig must be the path of the admin cluster kubeconfig']),
    ...(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0
      ? []
      : [`timeoutMs must be a positive number of milliseconds (got ${options.timeoutMs})`]),
    ...(file.trim() !== '' ? [] : ['gkectlPath must not be empty']),
    ...(options.clusterName === undefined || options.clusterName.trim() !== ''
      ? []
      : ['clusterName must not be empty when given']),
  ];
  if (problems.length > 0) {
    throw new VerifyError({
      code: 'VERIFY_OPTIONS_INVALID',
      message: `runGkectlDiagnose: ${problems.join('; ')}`,
      remedy: 'pass the admin kubeconfig path and a timeout, e.g. { kubeconfig, timeoutMs: 900000 }',
    });
  }
}

function withOutput(error: VerifyError, lines: string[]): VerifyError {
  error.output = parseDiagnoseOutput(lines.join('\n'));
  return error;
}

function timeoutError(file: string, timeoutMs: number): VerifyError {
  return new VerifyError({
    code: 'VERIFY_GKECTL_TIMEOUT',
    message: `${file} diagnose cluster did not finish within ${timeoutMs} ms and was killed`,
    remedy:
      'raise the timeout (diagnose can take many minutes on large clusters), check that the admin cluster API answers, or use the native checks',
    gkectlPath: file,
    isRetryable: true,
  });
}

function spawnError(file: string, error: NodeJS.ErrnoException): VerifyError {
  if (error.code === 'ENOENT') {
    return new VerifyError({
      code: 'VERIFY_GKECTL_NOT_FOUND',
      message: `gkectl not found: ${file} (searched PATH when no directory was given)`,
      remedy:
        'install gkectl (it ships on the GDC admin workstation) or pass --gkectl PATH, or use the native checks',
      gkectlPath: file,
      cause: error,
    });
  }
  if (error.code === 'EACCES') {
    return new VerifyError({
      code: 'VERIFY_GKECTL_NOT_EXECUTABLE',
      message: `gkectl at ${file} cannot be executed (permission denied)`,
      remedy: `make it executable (chmod +x ${file}) or pass --gkectl with the right binary`,
      gkectlPath: file,
      cause: error,
    });
  }
  return new VerifyError({
    code: 'VERIFY_GKECTL_SPAWN_FAILED',
    message: `cannot start ${file}: ${error.code ?? error.message}`,
    remedy: 'check the gkectl binary and this machine (free memory, process limits), then retry',
    gkectlPath: file,
    isRetryable: true,
    cause: error,
  });
}

function abortedError(file: string, reason: unknown): VerifyError {
  return new VerifyError({
    code: 'VERIFY_GKECTL_ABORTED',
    message: `${file} diagnose cluster was cancelled`,
    remedy: 'run verify again when ready',
    gkectlPath: file,
    cause: reason,
  });
}
