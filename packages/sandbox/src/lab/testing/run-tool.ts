import { spawn } from 'node:child_process';

/** What a real client program (kubectl, ssh, tar, etcdctl) printed and how it exited (test helper). */
export interface ToolResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
}

/** Runs `program` with `args`, feeding `input`; kills it after `timeoutMs` (default 60 000). */
export function runTool(options: {
  program: string;
  args: string[];
  input?: string | Buffer;
  cwd?: string;
  timeoutMs?: number;
}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.program, options.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode: code ?? (signal ? 128 : 1),
      });
    });
  });
}

/** Calls `attempt` every 250 ms until `done` accepts its result; returns the last result after `timeoutMs`. */
export async function retryUntil<T>(options: {
  attempt: () => Promise<T>;
  done: (result: T) => boolean;
  timeoutMs: number;
}): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let result = await options.attempt();
  while (!options.done(result) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    result = await options.attempt();
  }
  return result;
}
