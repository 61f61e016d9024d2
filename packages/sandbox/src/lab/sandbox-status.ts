import { readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** `DIR/status.json`, written by the supervisor at each change of phase. */
export interface SandboxStatus {
  /** Where the supervisor is: building, serving, given up (see `error`), tearing down. */
  phase: 'starting' | 'ready' | 'failed' | 'stopping';
  /** The supervisor's pid. */
  pid: number;
  /** When the supervisor started, ISO 8601. */
  startedAt: string;
  /** The user cluster's topology. */
  topology: 'kubeception' | 'controlplane-v2';
  /** Three etcd members when true, one otherwise. */
  ha: boolean;
  /** Present when phase is `failed`. */
  error?: { code: string; message: string; remedy?: string };
  /** Present when phase is `ready`: where the lab's files are. */
  files?: { adminKubeconfig: string; userKubeconfig: string; config: string; sshConfig?: string };
}

export const statusFileName = 'status.json';
export const controlSocketName = 'control.sock';

export async function writeSandboxStatus(dir: string, status: SandboxStatus): Promise<void> {
  const path = join(dir, statusFileName);
  // Readers poll this file: a rename makes each version appear whole.
  await writeFile(`${path}.tmp`, `${JSON.stringify(status, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

export async function readSandboxStatus(dir: string): Promise<SandboxStatus | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, statusFileName), 'utf8')) as SandboxStatus;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * True when a process with this pid runs. A zombie (killed, not yet reaped by its parent) counts as gone:
 * it holds no lab resources and will never answer.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
