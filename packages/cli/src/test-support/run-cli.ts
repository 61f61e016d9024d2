import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The built CLI (turbo builds it before the tests run). */
export const cliPath = join(dirname(fileURLToPath(import.meta.url)), '../../dist/etcd-dr.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `etcd-dr ARGS` as a user would, optionally as another user (`runuser`). */
export function runCli(
  args: string[],
  options: { asUser?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const [command, commandArgs] = options.asUser
      ? ['runuser', ['-u', options.asUser, '--', process.execPath, cliPath, ...args]]
      : [process.execPath, [cliPath, ...args]];
    const child = spawn(command as string, commandArgs as string[], {
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A failure as the CLI must report it: exit 1, nothing on stdout, one line `etcd-dr: error CODE: ...`. */
export function expectOneLineError(result: CliResult, code: string): void {
  expect(result.stderr).toMatch(new RegExp(`^etcd-dr: error ${code}: .+\\n$`));
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
}
