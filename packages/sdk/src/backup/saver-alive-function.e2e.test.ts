import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saverAliveFunction } from './plan-etcd-pod-snapshot.js';

const run = promisify(execFile);
let directory: string;
const started: number[] = [];

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'edr-alive-'));
  // A program whose command line says `snapshot`, like `etcdctl ... snapshot save`.
  await copyFile('/bin/sleep', join(directory, 'snapshot-saver'));
});

afterAll(async () => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await rm(directory, { recursive: true, force: true });
});

/** `alive PID` as the snapshot script runs it, in the pods' shell (dash). */
async function alive(pid: number): Promise<boolean> {
  const { stdout } = await run('/bin/sh', [
    '-c',
    `${saverAliveFunction}\nif alive ${pid}; then echo yes; else echo no; fi`,
  ]);
  return stdout.trim() === 'yes';
}

function start(command: string, args: string[]): number {
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.unref();
  started.push(child.pid!);
  return child.pid!;
}

describe('saverAliveFunction', () => {
  it('is true for a running saver and false once it is gone', async () => {
    const pid = start(join(directory, 'snapshot-saver'), ['30']);
    expect(await alive(pid)).toBe(true);
    process.kill(pid, 'SIGKILL');
    for (let attempt = 0; attempt < 50 && (await alive(pid)); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await alive(pid)).toBe(false);
  });

  it('is false for a zombie saver that nobody reaps', async () => {
    // The shell becomes `sleep 30` and never reaps its background child: the saver stays a zombie.
    const parent = start('/bin/sh', ['-c', `${join(directory, 'snapshot-saver')} 0 & exec sleep 30`]);
    let zombie: number | undefined;
    for (let attempt = 0; attempt < 100 && zombie === undefined; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const { stdout } = await run('ps', ['-o', 'pid=,stat=', '--ppid', String(parent)]).catch(() => ({
        stdout: '',
      }));
      const line = stdout
        .trim()
        .split('\n')
        .find((candidate) => /\sZ/.test(candidate));
      if (line) zombie = Number(line.trim().split(/\s+/)[0]);
    }
    expect(zombie).toBeDefined();
    expect(await alive(zombie!)).toBe(false);
  });

  it("is true for a fork of the calling shell that has not exec'd the saver yet", async () => {
    // The background job stays a copy of this shell while its first command runs: what the loop sees for
    // a moment right after `etcdctl ... &`.
    const { stdout } = await run('/bin/sh', [
      '-c',
      `${saverAliveFunction}\n{ sleep 5; :; } &\npid=$!\nsleep 0.1\nif alive "$pid"; then echo yes; else echo no; fi\npkill -P "$pid"; kill "$pid" 2>/dev/null || true`,
    ]);
    expect(stdout.trim()).toBe('yes');
  });

  it('is false for another process that holds the pid', async () => {
    const pid = start('/bin/sleep', ['30']);
    expect(await alive(pid)).toBe(false);
  });
});
