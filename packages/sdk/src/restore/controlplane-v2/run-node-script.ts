import type { StepContext, StepExecutor } from '../../apply/step-executor.js';
import type { PlanStep } from '../../plan/plan-step.js';
import type { SshExecResult } from '../../transport/ssh/ssh-connection.js';
import { ControlplaneV2RestoreError } from './controlplane-v2-restore-error.js';
import { stateConflictExitCode } from './node-scripts.js';

/** Options of {@link runNodeScript}. */
export interface RunNodeScriptOptions {
  context: StepContext;
  /** The step running it, for errors. */
  stepId: string;
  node: string;
  /** A script for `sh -c`, run as root through `sudo -n`. */
  script: string;
  /** What the script does, for errors (`moving the manifests aside`). */
  what: string;
  /** Default 300 000 ms. */
  timeoutMs?: number;
}

/**
 * Runs a root script on a node and returns its result when it exits 0.
 * @throws ControlplaneV2RestoreError `CPV2_RESTORE_STATE_CONFLICT` (exit 3: the node is in a state the step does
 *   not expect) or `CPV2_RESTORE_COMMAND_FAILED`, naming the node, the step and the script's last error line;
 *   SshError as is (connection lost, sudo refused).
 */
export async function runNodeScript(options: RunNodeScriptOptions): Promise<SshExecResult> {
  const { context, node, stepId } = options;
  const ssh = await context.ssh(node);
  const result = await ssh.exec({
    command: options.script,
    sudo: true,
    timeoutMs: options.timeoutMs ?? 300_000,
    signal: context.signal,
  });
  if (result.exitCode === 0) return result;
  const lastLine = meaningfulErrorLine(result.stderr);
  const status = result.exitCode === null ? `signal ${result.exitSignal}` : `exit code ${result.exitCode}`;
  const conflict = result.exitCode === stateConflictExitCode;
  throw new ControlplaneV2RestoreError({
    code: conflict ? 'CPV2_RESTORE_STATE_CONFLICT' : 'CPV2_RESTORE_COMMAND_FAILED',
    message: `step ${stepId} on node ${node}: ${options.what} failed with ${status}${lastLine ? `: ${lastLine}` : ''}`,
    remedy: conflict
      ? 'look at the node (the plan lists the paths); put it in the state the step expects or undo the restore, then resume'
      : 'fix the cause on the node, then resume the restore (the step is safe to run again)',
    node,
    step: stepId,
  });
}

/** Waits until `check` returns a value other than undefined, polling every `intervalMs`. */
export async function pollUntil<T>(options: {
  check: () => Promise<T | undefined>;
  timeoutMs: number;
  intervalMs?: number;
  signal: AbortSignal;
  onTimeout: (last: unknown) => Error;
}): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: unknown;
  for (;;) {
    options.signal.throwIfAborted();
    try {
      const value = await options.check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) throw options.onTimeout(last);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1000));
  }
}

/** The last line of stderr that says something: usage hints such as docker's "Run 'docker run --help'" are skipped. */
export function meaningfulErrorLine(stderr: string): string {
  return (
    stderr
      .replace(/\r/g, '')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !/^(Run|See) '.*--help'/.test(line))
      .at(-1) ?? ''
  );
}

/** What one root script on the step's node is: the script, and what it does for errors. */
export interface NodeScript {
  script: string;
  what: string;
  timeoutMs?: number;
}

/** Runs a root script on the node named by the step's `params.node`; see {@link runNodeScript}. */
export function runStepScript(options: {
  step: PlanStep<string, { node: string }>;
  context: StepContext;
  nodeScript: NodeScript;
}): Promise<SshExecResult> {
  const { step, nodeScript } = options;
  return runNodeScript({
    context: options.context,
    stepId: step.id,
    node: step.params.node,
    script: nodeScript.script,
    what: nodeScript.what,
    ...(nodeScript.timeoutMs === undefined ? {} : { timeoutMs: nodeScript.timeoutMs }),
  });
}

/** An executor whose `apply` (and `undo`, when given) each run one root script on the step's node. */
export function nodeScriptExecutor<Params extends { node: string }>(options: {
  apply: (params: Params) => NodeScript;
  undo?: (params: Params) => NodeScript;
}): StepExecutor<Params> {
  const undo = options.undo;
  return {
    async apply(step, context) {
      await runStepScript({ step, context, nodeScript: options.apply(step.params) });
      return undefined;
    },
    ...(undo
      ? {
          async undo(step, context) {
            await runStepScript({ step, context, nodeScript: undo(step.params) });
          },
        }
      : {}),
  };
}
