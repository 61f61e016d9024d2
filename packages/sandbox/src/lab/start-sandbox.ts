import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkHost } from '../runtime/check-host.js';
import { SandboxError, type SandboxErrorCode } from '../runtime/sandbox-error.js';
import { type ControlRequest, sendControl } from './control-protocol.js';
import { type SandboxOptionsInput, sandboxOptionsSchema } from './sandbox-options.js';
import {
  controlSocketName,
  isProcessAlive,
  readSandboxStatus,
  type SandboxStatus,
} from './sandbox-status.js';

/** Options of {@link startSandbox}. */
export interface StartSandboxOptions extends SandboxOptionsInput {
  /**
   * Tie the lab's life to this process (tests): the supervisor tears the lab down when this process exits,
   * even by SIGKILL. Default false: the lab outlives the caller until `etcd-dr sandbox down`.
   */
  attached?: boolean;
  /** How long to wait for every pod to be Ready. Default 120 000 ms. */
  timeoutMs?: number;
  /** Told once the checks passed and the supervisor runs (for a progress line). Default: nothing. */
  onStarting?: (event: { dir: string; supervisorPid: number }) => void;
}

/** A running lab. `await using lab = await startSandbox(...)` stops it at the end of the scope. */
export interface Sandbox extends AsyncDisposable {
  /** The lab's folder (absolute); `stop` removes it. */
  dir: string;
  /** Kubeconfig of the admin cluster's API server (mode 0600, a secret). */
  adminKubeconfig: string;
  /** Kubeconfig of the user cluster's API server (mode 0600, a secret). */
  userKubeconfig: string;
  /** `etcd-dr.yaml` describing the lab's clusters, for `--config`. */
  config: string;
  /** `ssh_config` for `ssh -F`, Controlplane V2 labs only. */
  sshConfig?: string;
  /** Corrupts the data of these user-cluster etcd members the way a failed disk would. */
  breakMembers(members: number[]): Promise<void>;
  /** Stops every process and removes every namespace, link and file the lab made. */
  stop(): Promise<void>;
}

const supervisorEntry = (() => {
  const here = fileURLToPath(new URL('.', import.meta.url));
  // From dist/ the supervisor sits beside this bundle; from src/lab/ (tests) it is the built one.
  const candidates = [join(here, 'supervisor.js'), resolve(here, '../../dist/supervisor.js')];
  return candidates.find((path) => existsSync(path)) ?? candidates[0]!;
})();

/**
 * Starts a lab in a supervisor process and resolves once every pod is Ready.
 * @throws SandboxError `SANDBOX_LAB_EXISTS` when DIR already holds a live lab, `SANDBOX_START_FAILED` (or the
 * supervisor's own code) when the lab could not be built; a half-built lab is torn down before this throws.
 */
export async function startSandbox(options: StartSandboxOptions): Promise<Sandbox> {
  const { attached = false, timeoutMs = 120_000, onStarting, ...rest } = options;
  const parsed = sandboxOptionsSchema.parse({ ...rest, dir: resolve(rest.dir) });
  const dir = parsed.dir;
  const previous = await readSandboxStatus(dir);
  if (previous && isProcessAlive(previous.pid)) {
    throw new SandboxError({
      code: 'SANDBOX_LAB_EXISTS',
      message: `${dir} already holds a running lab (supervisor pid ${previous.pid}, ${previous.phase} since ${previous.startedAt})`,
      remedy: `use it, or run \`etcd-dr sandbox down --dir ${dir}\` first`,
    });
  }
  // Before anything is created: a lab that cannot start must leave no folder behind.
  await checkHost();
  if (!previous && (await readdir(dir).catch(() => [])).length > 0) {
    throw new SandboxError({
      code: 'SANDBOX_LAB_EXISTS',
      message: `${dir} is not empty and holds no lab`,
      remedy: 'choose an empty or new --dir; the lab removes its whole folder on down',
    });
  }
  await mkdir(join(dir, 'logs'), { recursive: true, mode: 0o700 });
  const supervisorLog = await open(join(dir, 'logs', 'supervisor.log'), 'a', 0o600);
  const child = spawn(
    process.execPath,
    [supervisorEntry, '--options', JSON.stringify(parsed), ...(attached ? ['--attached'] : [])],
    {
      detached: !attached,
      stdio: [attached ? 'pipe' : 'ignore', supervisorLog.fd, supervisorLog.fd],
    },
  );
  await supervisorLog.close();
  if (!attached) child.unref();
  if (child.pid !== undefined) onStarting?.({ dir, supervisorPid: child.pid });

  const status = await waitForReady({ dir, child, timeoutMs });
  const files = status.files!;
  const request = async (body: ControlRequest) => {
    const response = await sendControl({ socketPath: join(dir, controlSocketName), request: body });
    if (!response.ok)
      throw new SandboxError({
        code: response.error.code as SandboxErrorCode,
        message: response.error.message,
      });
    return response.result;
  };
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= stopSupervisor({ dir, pid: status.pid, child: attached ? child : undefined });
    return stopped;
  };
  return {
    dir,
    adminKubeconfig: files.adminKubeconfig,
    userKubeconfig: files.userKubeconfig,
    config: files.config,
    ...(files.sshConfig ? { sshConfig: files.sshConfig } : {}),
    breakMembers: async (members) => {
      await request({ op: 'break', members });
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

async function waitForReady(options: {
  dir: string;
  child: ChildProcess;
  timeoutMs: number;
}): Promise<SandboxStatus> {
  const deadline = Date.now() + options.timeoutMs;
  let exited = false;
  options.child.once('exit', () => {
    exited = true;
  });
  for (;;) {
    const status = await readSandboxStatus(options.dir).catch(() => undefined);
    if (status?.phase === 'ready') return status;
    if (status?.phase === 'failed' || exited) {
      await waitForExit(options.child, 60_000);
      const error = status?.error;
      throw new SandboxError({
        code: 'SANDBOX_START_FAILED',
        message: `the lab in ${options.dir} did not start: ${error ? `${error.code}: ${error.message}` : 'the supervisor exited'}`,
        remedy: error?.remedy ?? `read ${join(options.dir, 'logs', 'supervisor.log')}`,
      });
    }
    if (Date.now() > deadline) {
      options.child.kill('SIGTERM');
      await waitForExit(options.child, 60_000);
      throw new SandboxError({
        code: 'SANDBOX_START_FAILED',
        message: `the lab in ${options.dir} was not ready after ${options.timeoutMs} ms`,
        remedy: `read ${join(options.dir, 'logs')}; the half-started lab was torn down`,
      });
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(done, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
  });
}

/** Asks the supervisor to stop, waits until its process is gone. */
export async function stopSupervisor(options: {
  dir: string;
  pid: number;
  child?: ChildProcess;
}): Promise<void> {
  if (isProcessAlive(options.pid)) {
    await sendControl({ socketPath: join(options.dir, controlSocketName), request: { op: 'down' } }).catch(
      () => {
        process.kill(options.pid, 'SIGTERM');
      },
    );
  }
  const deadline = Date.now() + 60_000;
  while (isProcessAlive(options.pid) && Date.now() < deadline)
    await new Promise((done) => setTimeout(done, 50));
  if (options.child) await waitForExit(options.child, 1_000);
}
