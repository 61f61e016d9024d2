import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireRestoreLock, lockFileName } from './restore-lock.js';

describe('acquireRestoreLock', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'etcd-dr-lock-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('refuses a second holder, naming pid, host, start time and plan, and frees the lock on release', async () => {
    const release = await acquireRestoreLock({
      workDirectory: directory,
      planId: 'plan-a',
      cluster: 'user-1',
    });
    const error = await acquireRestoreLock({
      workDirectory: directory,
      planId: 'plan-b',
      cluster: 'user-1',
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'RESTORE_LOCKED' });
    expect((error as Error).message).toMatch(
      new RegExp(`pid ${process.pid} on ${hostname()} since \\S+ \\(plan plan-a, cluster user-1\\)`),
    );
    await release();
    const again = await acquireRestoreLock({ workDirectory: directory, planId: 'plan-b', cluster: 'user-1' });
    await again();
  });

  it('reports a lock of a dead process as stale, and takes it over only when asked (resume)', async () => {
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    const stale = {
      pid: Number(dead),
      host: hostname(),
      startedAt: '2026-11-26T17:00:00.000Z',
      planId: 'old',
      cluster: 'user-1',
    };
    await writeFile(join(directory, lockFileName), JSON.stringify(stale));
    const error = await acquireRestoreLock({
      workDirectory: directory,
      planId: 'old',
      cluster: 'user-1',
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'RESTORE_LOCK_STALE' });
    expect((error as Error).message).toContain(`pid ${dead} on ${hostname()} since 2026-11-26T17:00:00.000Z`);
    const release = await acquireRestoreLock({
      workDirectory: directory,
      planId: 'old',
      cluster: 'user-1',
      takeOverStale: true,
    });
    expect(JSON.parse(await readFile(join(directory, lockFileName), 'utf8')).pid).toBe(process.pid);
    await release();
    await expect(readFile(join(directory, lockFileName))).rejects.toThrow(/ENOENT/);
  });
});
