import { PassThrough } from 'node:stream';
import type { KubeConnection } from '../transport/kube/connect-kube.js';

/** Options of {@link execStdout}. */
export interface ExecStdoutOptions {
  kube: KubeConnection;
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  signal?: AbortSignal;
}

/** How a command run by {@link execStdout} ended: its exit code and stderr, or the exec's failure. */
export type ExecStdoutOutcome =
  | { exitCode: number; stderr: string; failure?: undefined }
  | { exitCode: -1; stderr: ''; failure: unknown };

/** A command's stdout as chunks, and how it ended once they are read. */
export interface ExecStdoutRun {
  /** Stdout, read with backpressure; stopping early (break, throw) ends the exec. */
  chunks: AsyncIterable<Buffer>;
  /** How the command ended; valid once `chunks` is done. */
  outcome(): ExecStdoutOutcome;
}

/**
 * Runs a command in a container and hands its stdout over chunk by chunk, with backpressure (the exec reads
 * no faster than the consumer takes), without throwing the exec's own failure: the caller decides which
 * failures it resumes from (e.g. KUBE_EXEC_CONNECTION_LOST) from {@link ExecStdoutRun.outcome}.
 */
export function execStdout(options: ExecStdoutOptions): ExecStdoutRun {
  let outcome: ExecStdoutOutcome | undefined;
  async function* chunks(): AsyncGenerator<Buffer> {
    // Chunks pass as they came off the socket: in byte mode each read of the iterator would concatenate
    // whatever is buffered into a new buffer, a copy of the whole stream and garbage the size of it.
    const sink = new PassThrough({ objectMode: true, highWaterMark: 64 });
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    const { kube, namespace, pod, container, command } = options;
    const running = kube.exec({ namespace, pod, container, command, stdout: sink, signal }).then(
      (result) => {
        outcome = { exitCode: result.exitCode, stderr: result.stderr };
        sink.end();
      },
      (error: unknown) => {
        outcome = { exitCode: -1, stderr: '', failure: error };
        sink.end();
      },
    );
    try {
      yield* sink as AsyncIterable<Buffer>;
      await running;
    } finally {
      stop.abort();
      await running;
    }
  }
  return {
    chunks: chunks(),
    outcome: () => {
      if (!outcome) throw new Error('execStdout: outcome() read before its chunks were done');
      return outcome;
    },
  };
}
