import { spawn } from 'node:child_process';
import { SandboxError } from './sandbox-error.js';

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  /** Program name or path, e.g. `ip`. */
  command: string;
  args: string[];
  /** Written to the program's stdin, which is then closed. Default: nothing. */
  input?: string | Buffer;
  /** Return the result on a non-zero exit instead of throwing. Default false. */
  allowFailure?: boolean;
  /** Extra environment (merged over this process's). */
  env?: NodeJS.ProcessEnv;
}

/** What a finished program printed and how it exited. */
export interface RunCommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs a host program to completion and collects its output.
 * @throws SandboxError `SANDBOX_COMMAND_FAILED` when it cannot start or exits non-zero (unless `allowFailure`).
 */
export function runCommand(options: RunCommandOptions): Promise<RunCommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.command, options.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ? { ...process.env, ...options.env } : process.env,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    const line = [options.command, ...options.args].join(' ');
    child.on('error', (error) =>
      reject(
        new SandboxError({
          code: 'SANDBOX_COMMAND_FAILED',
          message: `cannot run \`${line}\`: ${(error as NodeJS.ErrnoException).code ?? error.message}`,
          remedy: 'run `npm run setup` as root to install the lab prerequisites',
          cause: error,
        }),
      ),
    );
    child.on('close', (code, signal) => {
      const result = {
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode: code ?? 128,
      };
      if (code === 0 || options.allowFailure) {
        resolve(result);
        return;
      }
      const reason = result.stderr.trim().split('\n')[0] || (signal ? `killed by ${signal}` : '');
      reject(
        new SandboxError({
          code: 'SANDBOX_COMMAND_FAILED',
          message: `\`${line}\` exited with ${code ?? signal}${reason ? `: ${reason}` : ''}`,
          remedy: 'check that you run as root and that the lab directory is intact',
        }),
      );
    });
  });
}
