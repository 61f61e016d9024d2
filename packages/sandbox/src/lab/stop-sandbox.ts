import { readdir, rm } from 'node:fs/promises';
import { teardown } from '../runtime/teardown.js';
import { isProcessAlive, readSandboxStatus } from './sandbox-status.js';
import { stopSupervisor } from './start-sandbox.js';

/** What {@link stopSandbox} found and removed. */
export interface StopSandboxResult {
  /** False when DIR held no lab (nothing was done). */
  found: boolean;
  /** True when a live supervisor was asked to stop; false when the lab was already dead (crashed). */
  supervisorWasRunning: boolean;
  killedProcesses: number;
  removedNetns: string[];
  removedLinks: string[];
}

const labMarkers = ['status.json', 'state.json'];

/**
 * Stops the lab in `dir` and removes every process, network namespace, link and file it made, then the
 * folder itself; also after the supervisor crashed or was killed. Idempotent.
 */
export async function stopSandbox(options: { dir: string }): Promise<StopSandboxResult> {
  const entries = await readdir(options.dir).catch(() => [] as string[]);
  if (!entries.some((entry) => labMarkers.includes(entry))) {
    return {
      found: false,
      supervisorWasRunning: false,
      killedProcesses: 0,
      removedNetns: [],
      removedLinks: [],
    };
  }
  const status = await readSandboxStatus(options.dir);
  const supervisorWasRunning = status !== undefined && isProcessAlive(status.pid);
  if (status && supervisorWasRunning) await stopSupervisor({ dir: options.dir, pid: status.pid });
  // Whatever the supervisor did not remove (it crashed, or was SIGKILLed) is still journaled in state.json.
  const removed = await teardown({ dir: options.dir });
  await rm(options.dir, { recursive: true, force: true });
  return {
    found: true,
    supervisorWasRunning,
    killedProcesses: removed.killedProcesses,
    removedNetns: removed.removedNetns,
    removedLinks: removed.removedLinks,
  };
}
