import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createLineSplitter } from './line-splitter.js';

/** One complete line a process printed. */
export interface ProcessLine {
  stream: 'stdout' | 'stderr';
  text: string;
  /** Milliseconds since the process was started. */
  elapsedMs: number;
}

/** Options of {@link runProcessGroup}. */
export interface RunProcessGroupOptions {
  file: string;
  args: string[];
  cwd?: string;
  /** Milliseconds before the whole group is stopped. */
  timeoutMs: number;
  /** Milliseconds between SIGTERM and SIGKILL when the group must be stopped. */
  killGraceMs: number;
  signal?: AbortSignal;
  onLine?: (line: ProcessLine) => void;
}

/** How the run ended. `lines` holds stdout and stderr lines in arrival order. */
export type ProcessGroupOutcome =
  | {
      kind: 'exited';
      lines: string[];
      exitCode: number | null;
      exitSignal: NodeJS.Signals | null;
      durationMs: number;
    }
  | { kind: 'timed-out'; lines: string[]; durationMs: number }
  | { kind: 'aborted'; lines: string[]; reason: unknown }
  | { kind: 'listener-failed'; lines: string[]; error: unknown }
  | { kind: 'spawn-failed'; error: NodeJS.ErrnoException };

/**
 * Runs a command as the leader of a new process group and streams its lines; never rejects.
 *
 * On timeout, abort, or an `onLine` that throws, the whole group gets SIGTERM, then SIGKILL after the
 * grace, so nothing the command started outlives the run. Output is kept in memory (fine for a diagnose
 * transcript of a few hundred lines).
 */
export function runProcessGroup(options: RunProcessGroupOptions): Promise<ProcessGroupOutcome> {
  const started = performance.now();
  const lines: string[] = [];

  return new Promise<ProcessGroupOutcome>((resolveOutcome) => {
    const child = spawn(options.file, options.args, {
      cwd: options.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let settled = false;
    let stopReason: ProcessGroupOutcome | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const finish = (outcome: ProcessGroupOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timeoutTimer);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      resolveOutcome(outcome);
    };
    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is already gone.
      }
    };
    const stop = (reason: ProcessGroupOutcome) => {
      if (stopReason || settled) return;
      stopReason = reason;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs);
    };
    const emit = (stream: 'stdout' | 'stderr', batch: string[]) => {
      for (const text of batch) {
        lines.push(text);
        if (!options.onLine || stopReason) continue;
        try {
          options.onLine({ stream, text, elapsedMs: performance.now() - started });
        } catch (error) {
          stop({ kind: 'listener-failed', lines, error });
        }
      }
    };
    function onAbort() {
      stop({ kind: 'aborted', lines, reason: options.signal?.reason });
    }

    const stdoutSplitter = createLineSplitter();
    const stderrSplitter = createLineSplitter();
    child.stdout.on('data', (chunk: Buffer) => emit('stdout', stdoutSplitter.push(chunk)));
    child.stderr.on('data', (chunk: Buffer) => emit('stderr', stderrSplitter.push(chunk)));
    child.on('error', (error: NodeJS.ErrnoException) => {
      // After a successful start, 'error' only reports a failed kill; 'close' still follows.
      if (child.pid === undefined) finish({ kind: 'spawn-failed', error });
    });
    child.on('close', (exitCode, exitSignal) => {
      emit('stdout', stdoutSplitter.end());
      emit('stderr', stderrSplitter.end());
      const durationMs = performance.now() - started;
      if (stopReason) {
        // The leader is gone; make sure nothing it started outlives it.
        killGroup('SIGKILL');
        finish(stopReason.kind === 'timed-out' ? { ...stopReason, durationMs } : stopReason);
        return;
      }
      finish({ kind: 'exited', lines, exitCode, exitSignal, durationMs });
    });

    const timeoutTimer = setTimeout(
      () => stop({ kind: 'timed-out', lines, durationMs: options.timeoutMs }),
      options.timeoutMs,
    );
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
