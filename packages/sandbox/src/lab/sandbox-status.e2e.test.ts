import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isProcessAlive } from './sandbox-status.js';

describe('isProcessAlive', () => {
  it('sees a running process, and a killed one as gone while it is still an unreaped zombie', async () => {
    // `exec sleep` replaces the shell with a parent that never reaps its child: killing the child leaves
    // a zombie, as a SIGKILLed supervisor is until the test runner that spawned it reaps it.
    const parent = spawn('sh', ['-c', 'sleep 30 & echo $!; exec sleep 30']);
    try {
      const pid = await new Promise<number>((resolve) =>
        parent.stdout.once('data', (data) => resolve(Number(data))),
      );
      expect(isProcessAlive(pid)).toBe(true);
      process.kill(pid, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(readFileSync(`/proc/${pid}/stat`, 'utf8')).toMatch(/\) Z /);
      expect(isProcessAlive(pid)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
    expect(isProcessAlive(2 ** 22 + 12345)).toBe(false);
  });
});
