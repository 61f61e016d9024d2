import { join } from 'node:path';
import { SandboxError, type SandboxErrorCode } from '../runtime/sandbox-error.js';
import { sendControl } from './control-protocol.js';
import { controlSocketName, isProcessAlive, readSandboxStatus } from './sandbox-status.js';

/** Options of {@link breakSandbox}. */
export interface BreakSandboxOptions {
  /** The lab's folder, as given to `startSandbox`. */
  dir: string;
  /** 0-based member numbers. */
  members: number[];
}

/**
 * Corrupts the data of the given user-cluster etcd members (0-based, `kube-etcd-N` or the N+1th control-plane
 * node) the way a failed disk would, and restarts them so that they crash-loop.
 * @throws SandboxError `SANDBOX_NOT_RUNNING` when DIR holds no live lab.
 */
export async function breakSandbox(options: BreakSandboxOptions): Promise<void> {
  const status = await readSandboxStatus(options.dir);
  if (!status || !isProcessAlive(status.pid) || status.phase !== 'ready') {
    throw new SandboxError({
      code: 'SANDBOX_NOT_RUNNING',
      message: `no running lab in ${options.dir}`,
      remedy: `start one with \`etcd-dr sandbox up --dir ${options.dir}\``,
    });
  }
  const response = await sendControl({
    socketPath: join(options.dir, controlSocketName),
    request: { op: 'break', members: options.members },
  });
  if (!response.ok) {
    throw new SandboxError({
      // The supervisor's own code says what was wrong (e.g. a member the lab does not have).
      code: response.error.code as SandboxErrorCode,
      message: `break in ${options.dir}: ${response.error.message}`,
    });
  }
}
