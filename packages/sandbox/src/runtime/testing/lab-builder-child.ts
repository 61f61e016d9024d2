import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../run-command.js';
import { sweepLab, teardown } from '../teardown.js';

/**
 * The built `@etcd-dr/sandbox/internals` a lab-builder child imports, as the supervisor runs built code
 * (`npm test` builds before it tests).
 */
export const distEntry = fileURLToPath(new URL('../../../dist/internals.js', import.meta.url));

/** A running child process that built part of a lab and printed `ready ...` (test helper). */
export interface LabBuilderChild {
  /** The space-separated words after `ready` on the child's ready line. */
  fields: string[];
  /** SIGKILLs the child and waits until it is gone, as a crash would end it. */
  kill(): Promise<void>;
}

/**
 * Runs `script` (an ES module source importing {@link distEntry}) in a child Node process and waits for
 * its line `ready FIELD...`. The child must then stay alive until killed.
 */
export async function startLabBuilderChild(options: { script: string }): Promise<LabBuilderChild> {
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', options.script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const fields = await new Promise<string[]>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^ready (.*)$/m.exec(output);
      if (match) resolve(match[1]!.trim().split(' '));
    });
    child.on('exit', (code) => reject(new Error(`lab builder exited early with ${code}`)));
  });
  return {
    fields,
    kill: async () => {
      const closed = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGKILL');
      await closed;
    },
  };
}

/** PIDs of processes whose command line matches `pattern`, as pgrep prints them; empty when none. */
export async function pgrep(pattern: string): Promise<string> {
  return (await runCommand({ command: 'pgrep', args: ['-f', pattern], allowFailure: true })).stdout.trim();
}

/** After-test cleanup of a crashed lab: teardown from its journal, sweep by prefix, remove the folder. */
export async function cleanUpCrashedLab(options: { dir?: string; prefix?: string }): Promise<void> {
  if (options.dir) await teardown({ dir: options.dir });
  if (options.prefix) await sweepLab({ prefix: options.prefix });
  if (options.dir) await rm(options.dir, { recursive: true, force: true });
}
