import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** What a real `ssh`/`scp` run printed and how it exited (test helper). */
export interface ClientResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
}

/** Runs the real OpenSSH client program `program` (ssh or scp) with `args`, feeding `input`. */
export function runClient(options: {
  program: 'ssh' | 'scp';
  args: string[];
  input?: string | Buffer;
}): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.program, options.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode: code ?? (signal ? 128 : 1),
      }),
    );
  });
}

/** Common client options: never prompt, never touch ~/.ssh, pin host keys. */
export function clientOptions(options: { identity: string; knownHosts: string }): string[] {
  return [
    '-i',
    options.identity,
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${options.knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'ConnectTimeout=5',
    '-o',
    'LogLevel=ERROR',
  ];
}

/** SHA-256 of a host file, or `missing`. */
export function fileHash(path: string): string {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return 'missing';
  }
}
