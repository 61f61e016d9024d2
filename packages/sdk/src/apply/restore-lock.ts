import { open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RestoreError } from '../restore/restore-error.js';
import { writeFileAtomic } from './write-file-atomic.js';

/** What `restore.lock` holds: who runs a restore from this work directory, since when, for which plan. */
export interface RestoreLockInfo {
  pid: number;
  host: string;
  startedAt: string;
  planId: string;
  cluster: string;
}

/** The lock's file name inside the work directory. */
export const lockFileName = 'restore.lock';

/** Pure-ish: true when `pid` is a live process on this machine. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Options of {@link acquireRestoreLock}. */
export interface AcquireRestoreLockOptions {
  workDirectory: string;
  planId: string;
  cluster: string;
  /** Take over a lock whose process is dead (a resumed restore after a crash). Default false. */
  takeOverStale?: boolean;
}

/**
 * Takes the work directory's lock (created exclusively), so two restores never run into the same cluster
 * from it at once. Returns a release function (removes the lock only while it is still ours).
 * @throws RestoreError `RESTORE_LOCKED` naming the holder (pid, host, since, plan) while it lives (or on
 * another host, where liveness cannot be told), `RESTORE_LOCK_STALE` when its process is dead and
 * `takeOverStale` is false.
 */
export async function acquireRestoreLock(options: AcquireRestoreLockOptions): Promise<() => Promise<void>> {
  const path = join(options.workDirectory, lockFileName);
  const mine: RestoreLockInfo = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    planId: options.planId,
    cluster: options.cluster,
  };
  const content = `${JSON.stringify(mine)}\n`;
  try {
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = await readLock(path);
    const stale = holder !== undefined && holder.host === mine.host && !isProcessAlive(holder.pid);
    const who = holder
      ? `pid ${holder.pid} on ${holder.host} since ${holder.startedAt} (plan ${holder.planId}, cluster ${holder.cluster})`
      : 'an unreadable lock';
    if (!stale) {
      throw new RestoreError({
        code: 'RESTORE_LOCKED',
        object: path,
        message: `another restore holds ${path}: ${who}`,
        remedy:
          holder && holder.host !== mine.host
            ? `wait for it to end; if that host's restore is dead, delete ${path}`
            : 'wait for it to end (one restore at a time into a cluster)',
      });
    }
    if (!options.takeOverStale) {
      throw new RestoreError({
        code: 'RESTORE_LOCK_STALE',
        object: path,
        message: `a restore was interrupted: ${path} is held by ${who}, which is no longer running`,
        remedy: 'run the same command with --resume to continue it where it stopped',
      });
    }
    await writeFileAtomic({ path, content });
  }
  return async () => {
    const current = await readLock(path);
    if (current?.pid === mine.pid && current.startedAt === mine.startedAt) await rm(path, { force: true });
  };
}

/** Reads the lock of a work directory, or undefined when there is none (or it cannot be parsed). */
export async function readLock(path: string): Promise<RestoreLockInfo | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as RestoreLockInfo;
  } catch {
    return undefined;
  }
}
