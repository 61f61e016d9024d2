import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LabState, readProcessStartTime } from './lab-state.js';
import { runCommand } from './run-command.js';
import { sweepLab, teardown } from './teardown.js';

let dir: string | undefined;
let prefix: string | undefined;
afterEach(async () => {
  if (prefix) await sweepLab({ prefix });
  if (dir) {
    await runCommand({ command: 'umount', args: ['-l', join(dir, 'mnt')], allowFailure: true });
    await rm(dir, { recursive: true, force: true });
  }
  dir = undefined;
  prefix = undefined;
});

const ip = (...args: string[]) => runCommand({ command: 'ip', args });

describe('teardown (as root)', () => {
  it('removes every recorded object and the prefix strays, and a second call finds nothing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'edr-teardown-'));
    const state = await LabState.create({ dir });
    prefix = state.prefix;
    const netns = `${prefix}-pod`;
    state.record({ kind: 'netns', name: netns });
    await ip('netns', 'add', netns);
    state.record({ kind: 'link', name: `${prefix}v1` });
    await ip('link', 'add', `${prefix}v1`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
    await ip('link', 'add', `${prefix}stray`, 'type', 'bridge');
    await ip('netns', 'add', `${prefix}-stray`);
    const inNetns = spawn('ip', ['netns', 'exec', netns, 'sleep', '300'], {
      detached: true,
      stdio: 'ignore',
    });
    const grouped = spawn('sh', ['-c', 'sleep 301 & sleep 302'], { detached: true, stdio: 'ignore' });
    state.recordProcess({ pid: grouped.pid!, group: true, description: 'shell with a background child' });
    const directory = join(dir, 'pods');
    state.record({ kind: 'directory', path: directory });
    await mkdir(join(directory, 'a', 'tmp'), { recursive: true });
    state.record({ kind: 'file', path: join(dir, 'hosts') });
    await writeFile(join(dir, 'hosts'), '127.0.0.1 localhost\n');
    state.record({ kind: 'mount', path: join(dir, 'mnt') });
    await mkdir(join(dir, 'mnt'));
    await runCommand({ command: 'mount', args: ['-t', 'tmpfs', 'none', join(dir, 'mnt')] });
    await new Promise((resolve) => setTimeout(resolve, 200));

    const result = await teardown({ dir });

    expect(result.prefix).toBe(prefix);
    expect(result.killedProcesses).toBeGreaterThanOrEqual(2);
    expect((await ip('netns', 'list')).stdout).not.toContain(prefix);
    expect((await ip('-o', 'link')).stdout).not.toContain(prefix);
    expect(readProcessStartTime(inNetns.pid!)).toBeUndefined();
    expect(readProcessStartTime(grouped.pid!)).toBeUndefined();
    expect(
      (await runCommand({ command: 'pgrep', args: ['-f', 'sleep 30[12]'], allowFailure: true })).stdout,
    ).toBe('');
    expect(
      (await runCommand({ command: 'findmnt', args: [join(dir, 'mnt')], allowFailure: true })).exitCode,
    ).not.toBe(0);
    expect(existsSync(directory)).toBe(false);
    expect(existsSync(join(dir, 'hosts'))).toBe(false);
    expect(existsSync(join(dir, 'state.json'))).toBe(false);
    expect(await teardown({ dir })).toMatchObject({ prefix: undefined, killedProcesses: 0 });
  });

  it('refuses to sweep by something that is not a lab prefix', async () => {
    await expect(sweepLab({ prefix: 'eth' })).rejects.toMatchObject({ code: 'SANDBOX_STATE_INVALID' });
  });
});
