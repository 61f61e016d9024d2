import { join } from 'node:path';
import { sendControl } from './control-protocol.js';
import {
  controlSocketName,
  isProcessAlive,
  readSandboxStatus,
  type SandboxStatus,
} from './sandbox-status.js';

/** A lab's state as `etcd-dr sandbox status` shows it. */
export type SandboxReport =
  | { state: 'absent' }
  | { state: 'dead'; status: SandboxStatus }
  | { state: 'running'; status: SandboxStatus; detail?: unknown };

/** Reads `DIR/status.json` and, when the supervisor lives, asks it for the pods and members. */
export async function sandboxStatusOf(options: { dir: string }): Promise<SandboxReport> {
  const status = await readSandboxStatus(options.dir);
  if (!status) return { state: 'absent' };
  if (!isProcessAlive(status.pid)) return { state: 'dead', status };
  if (status.phase !== 'ready') return { state: 'running', status };
  const response = await sendControl({
    socketPath: join(options.dir, controlSocketName),
    request: { op: 'status' },
    timeoutMs: 15_000,
  }).catch(() => undefined);
  return { state: 'running', status, ...(response?.ok ? { detail: response.result } : {}) };
}
