import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { type LabObject, labPrefixPattern, orderForTeardown } from './lab-object.js';
import { LabState, readProcessStartTime } from './lab-state.js';
import { runCommand } from './run-command.js';
import { SandboxError } from './sandbox-error.js';

/** Options of {@link teardown}. */
export interface TeardownOptions {
  /** The lab directory holding `state.json`. */
  dir: string;
}

/** What {@link teardown} or {@link sweepLab} removed. */
export interface TeardownResult {
  /** The lab prefix, undefined when `dir` held no lab. */
  prefix: string | undefined;
  killedProcesses: number;
  removedNetns: string[];
  removedLinks: string[];
}

/**
 * Removes every host object recorded in `DIR/state.json` (process groups, mounts, links, network
 * namespaces, files, directories), then sweeps strays by the lab prefix, then deletes `state.json`.
 * Works after the process that built the lab was SIGKILLed; a second call finds nothing and returns.
 * Never kills the calling process.
 */
export async function teardown(options: TeardownOptions): Promise<TeardownResult> {
  const state = await LabState.load({ dir: options.dir });
  if (!state) return { prefix: undefined, killedProcesses: 0, removedNetns: [], removedLinks: [] };
  const result: TeardownResult = {
    prefix: state.prefix,
    killedProcesses: 0,
    removedNetns: [],
    removedLinks: [],
  };
  const processes = state.objects().filter((object) => object.kind === 'process');
  result.killedProcesses += await killRecordedProcesses(processes);
  for (const object of processes) state.forget(object);
  const swept = await sweepLab({ prefix: state.prefix });
  result.killedProcesses += swept.killedProcesses;
  for (const object of orderForTeardown(state.objects())) {
    await removeObject(object, result);
    state.forget(object);
  }
  for (const name of swept.removedNetns)
    if (!result.removedNetns.includes(name)) result.removedNetns.push(name);
  for (const name of swept.removedLinks)
    if (!result.removedLinks.includes(name)) result.removedLinks.push(name);
  await rm(state.path, { force: true });
  return result;
}

/** Options of {@link sweepLab}. */
export interface SweepLabOptions {
  /** The lab prefix (`edr` + 4 hex); only objects whose name starts with it are touched. */
  prefix: string;
}

/**
 * Finds a lab's strays by name alone: kills every process inside a network namespace whose name starts
 * with the prefix, deletes those namespaces and every link whose name starts with it.
 * @throws SandboxError `SANDBOX_STATE_INVALID` when the prefix is not a lab prefix (a guard against
 * sweeping the host's own interfaces).
 */
export async function sweepLab(options: SweepLabOptions): Promise<TeardownResult> {
  if (!labPrefixPattern.test(options.prefix)) {
    throw new SandboxError({
      code: 'SANDBOX_STATE_INVALID',
      message: `refusing to sweep host objects by prefix "${options.prefix}": not a lab prefix (edr + 4 hex)`,
      remedy: 'pass the prefix recorded in the lab state.json',
    });
  }
  const result: TeardownResult = {
    prefix: options.prefix,
    killedProcesses: 0,
    removedNetns: [],
    removedLinks: [],
  };
  const netnsList = (await runCommand({ command: 'ip', args: ['netns', 'list'] })).stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(options.prefix));
  for (const name of netnsList) result.killedProcesses += await killNetnsProcesses(name);
  const links = (
    JSON.parse((await runCommand({ command: 'ip', args: ['-j', 'link'] })).stdout || '[]') as Array<{
      ifname: string;
    }>
  )
    .map((link) => link.ifname)
    .filter((name) => name.startsWith(options.prefix));
  for (const name of links) {
    await deleteLink(name);
    result.removedLinks.push(name);
  }
  for (const name of netnsList) {
    await deleteNetns(name);
    result.removedNetns.push(name);
  }
  return result;
}

async function removeObject(object: LabObject, result: TeardownResult): Promise<void> {
  switch (object.kind) {
    case 'process':
      return;
    case 'mount':
      await runCommand({ command: 'umount', args: ['-l', object.path], allowFailure: true });
      return;
    case 'link':
      await deleteLink(object.name);
      result.removedLinks.push(object.name);
      return;
    case 'netns':
      await killNetnsProcesses(object.name);
      await deleteNetns(object.name);
      result.removedNetns.push(object.name);
      return;
    case 'file':
    case 'directory':
      await rm(object.path, { recursive: true, force: true });
      return;
  }
}

async function killRecordedProcesses(objects: LabObject[]): Promise<number> {
  const alive: number[] = [];
  for (const object of objects) {
    if (object.kind !== 'process' || object.pid === process.pid) continue;
    if (readProcessStartTime(object.pid) !== object.startTime) continue;
    signal(object.group ? -object.pid : object.pid, 'SIGKILL');
    alive.push(object.pid);
  }
  await waitForExit(alive);
  return alive.length;
}

async function killNetnsProcesses(name: string): Promise<number> {
  const listed = await runCommand({ command: 'ip', args: ['netns', 'pids', name], allowFailure: true });
  const pids = listed.stdout
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 0 && pid !== process.pid);
  for (const pid of pids) signal(pid, 'SIGKILL');
  await waitForExit(pids);
  return pids.length;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {}
}

/** Waits until the processes are gone (reaped, or zombies whose parent will reap them). */
async function waitForExit(pids: number[]): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const remaining = pids.filter((pid) => {
      const start = readProcessStartTime(pid);
      return start !== undefined && !isZombie(pid);
    });
    if (remaining.length === 0) return;
    await sleep(20);
  }
}

function isZombie(pid: number): boolean {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

async function deleteLink(name: string): Promise<void> {
  const deleted = await runCommand({ command: 'ip', args: ['link', 'del', name], allowFailure: true });
  if (deleted.exitCode !== 0 && !/Cannot find device|does not exist/.test(deleted.stderr)) {
    throw new SandboxError({
      code: 'SANDBOX_COMMAND_FAILED',
      message: `cannot delete link ${name}: ${deleted.stderr.trim()}`,
      remedy: `delete it by hand with \`ip link del ${name}\``,
    });
  }
}

async function deleteNetns(name: string): Promise<void> {
  const deleted = await runCommand({ command: 'ip', args: ['netns', 'del', name], allowFailure: true });
  if (deleted.exitCode !== 0 && !/No such file/.test(deleted.stderr)) {
    throw new SandboxError({
      code: 'SANDBOX_COMMAND_FAILED',
      message: `cannot delete network namespace ${name}: ${deleted.stderr.trim()}`,
      remedy: `delete it by hand with \`ip netns del ${name}\``,
    });
  }
}
