import { resolve } from 'node:path';
import { diagnoseCluster } from './diagnose-cluster.js';
import { isHealthy } from './diagnose-result.js';
import { formatDiagnoseOutput } from './format-diagnose-output.js';
import { oneLine } from './one-line.js';
import { parseGkectlArguments } from './parse-gkectl-arguments.js';
import { writeDiagnoseReport } from './write-diagnose-report.js';

/** Options of {@link runGkectl}. */
export interface RunGkectlOptions {
  /** The arguments after the program name. */
  argv: readonly string[];
  /** Working directory: where the report file is written and relative paths resolve. */
  cwd: string;
  /** Receives standard output text. */
  stdout: (text: string) => void;
  /** Receives standard error text. */
  stderr: (text: string) => void;
  /** Limit of each API call and exec. Milliseconds. Default 3000 (execs: 8000). */
  requestTimeoutMs?: number;
}

/**
 * The lab's `gkectl`: runs one command line and returns the exit code. `diagnose cluster` prints the real
 * tool's transcript shapes and exits 0 only when the cluster is healthy; user-cluster runs write the JSON
 * report into `cwd` first. Help exits 0; usage errors print cobra's text to stderr and exit 1. Never throws:
 * an unexpected failure is printed after `Exit with error:` (exit 1), with no stack trace.
 */
export async function runGkectl(options: RunGkectlOptions): Promise<number> {
  const invocation = parseGkectlArguments({ argv: options.argv });
  if (invocation.kind === 'help') {
    options.stdout(`${invocation.text}\n`);
    return 0;
  }
  if (invocation.kind === 'usage-error') {
    options.stderr(`${invocation.text}\n`);
    return 1;
  }
  try {
    const startedAt = new Date();
    const result = await diagnoseCluster({
      kubeconfigPath: resolve(options.cwd, invocation.kubeconfig),
      ...(invocation.clusterName === undefined ? {} : { clusterName: invocation.clusterName }),
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    });
    const reportFile =
      result.target === 'user' && result.fatalError === undefined
        ? await writeDiagnoseReport({ result, directory: options.cwd, startedAt })
        : undefined;
    options.stdout(formatDiagnoseOutput({ result, ...(reportFile === undefined ? {} : { reportFile }) }));
    return isHealthy(result) ? 0 : 1;
  } catch (error) {
    options.stdout(`Exit with error:\n${oneLine(error instanceof Error ? error.message : String(error))}\n`);
    return 1;
  }
}
