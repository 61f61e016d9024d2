import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options of {@link runAction}. */
export interface RunActionOptions {
  /** The bundled action, e.g. `actions/backup/dist/index.js`. */
  entry: string;
  /** Inputs by their action.yml names; passed as `INPUT_NAME` (upper case, spaces to `_`) as the runner does. */
  inputs: Record<string, string>;
  /** More environment: the results service run's `ACTIONS_*` and `GITHUB_*`, `GITHUB_RETENTION_DAYS`. */
  env?: Record<string, string>;
  /** Working directory (the runner's is the workspace). Default a new temporary folder. */
  workspace?: string;
  /** Default 300 000 ms. */
  timeoutMs?: number;
}

/** What a step left behind. */
export interface ActionRun {
  exitCode: number | null;
  /** Everything written to stdout: log lines and `::workflow-commands::`. */
  stdout: string;
  stderr: string;
  /** Parsed from the `GITHUB_OUTPUT` file. */
  outputs: Record<string, string>;
  /** The `GITHUB_STEP_SUMMARY` file. */
  summary: string;
  /** Values registered with `::add-mask::`. */
  masked: string[];
  /** The step's `RUNNER_TEMP`, which the caller removes (with `remove`). */
  runnerTemp: string;
  remove(): Promise<void>;
}

/**
 * Runs a bundled action with Node the way the runner does: inputs as `INPUT_*` variables, `GITHUB_OUTPUT` and
 * `GITHUB_STEP_SUMMARY` files, its own `RUNNER_TEMP`, and a clean environment (PATH and HOME only, plus `env`).
 */
export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const runnerTemp = await mkdtemp(join(tmpdir(), 'etcd-dr-runner-'));
  const remove = () => rm(runnerTemp, { recursive: true, force: true });
  try {
    const workspace = options.workspace ?? runnerTemp;
    const outputFile = join(runnerTemp, 'github-output');
    const summaryFile = join(runnerTemp, 'step-summary.md');
    await writeFile(outputFile, '');
    await writeFile(summaryFile, '');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: runnerTemp,
      ...options.env,
    };
    for (const [name, value] of Object.entries(options.inputs)) {
      env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
    }
    const child = spawn(process.execPath, [options.entry], {
      cwd: workspace,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timeoutMs = options.timeoutMs ?? 300_000;
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${options.entry} did not finish within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
      }, timeoutMs);
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    const masked = [...stdout.matchAll(/^::add-mask::(.*)$/gm)].map((match) => match[1]!);
    return {
      exitCode,
      stdout,
      stderr,
      outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
      summary: await readFile(summaryFile, 'utf8'),
      masked,
      runnerTemp,
      remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** Pure: the `name<<DELIMITER\nvalue\nDELIMITER` records `@actions/core` appends to `GITHUB_OUTPUT`. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1]!] = match[3]!;
  return outputs;
}
