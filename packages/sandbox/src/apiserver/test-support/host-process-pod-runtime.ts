import { type ChildProcess, spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import type {
  ExecSession,
  PodRuntime,
  RuntimeContainerStatus,
  RuntimePodSpec,
  RuntimePodStatus,
} from '../pod-runtime-contract.js';

interface ContainerState {
  process: ChildProcess | undefined;
  status: RuntimeContainerStatus;
  log: Buffer[];
  previousLog: Buffer[];
  restartTimer: NodeJS.Timeout | undefined;
}

interface PodState {
  spec: RuntimePodSpec;
  containers: Map<string, ContainerState>;
  stopped: boolean;
}

/**
 * TEST DOUBLE of the pod runtime: runs each container's command as a plain child process on the host (no
 * namespaces, no bwrap, no volumes mounted; the working directory is the container's `workingDir`). It
 * exists so the API server's exec, logs, controllers and kubelet glue can be tested before the real
 * runtime (runtime/) is merged. Never used by the lab itself.
 */
export function createHostProcessPodRuntime(options: { restartDelayMs?: number } = {}): PodRuntime & {
  pods: Map<string, PodState>;
} {
  const pods = new Map<string, PodState>();
  const listeners = new Set<(uid: string) => void>();
  const restartDelayMs = options.restartDelayMs ?? 500;
  const notify = (uid: string): void => {
    for (const listener of listeners) listener(uid);
  };

  function start(pod: PodState, name: string): void {
    const container = pod.spec.containers.find((candidate) => candidate.name === name)!;
    const state = pod.containers.get(name)!;
    const [file, ...args] = container.command;
    const child = spawn(file!, args, {
      cwd: container.workingDir ?? '/',
      env: {
        PATH: process.env.PATH,
        ...Object.fromEntries((container.env ?? []).map((entry) => [entry.name, entry.value])),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    state.process = child;
    const collect = (chunk: Buffer): void => {
      state.log.push(chunk);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    state.status = { ...state.status, ready: true, started: true, state: { running: { startedAt } } };
    notify(pod.spec.uid);
    child.on('error', () => undefined);
    child.on('exit', (code) => {
      state.process = undefined;
      if (pod.stopped) return;
      const exitCode = code ?? 137;
      const finishedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const restart =
        pod.spec.restartPolicy === 'Always' || (pod.spec.restartPolicy === 'OnFailure' && exitCode !== 0);
      if (!restart) {
        state.status = {
          ...state.status,
          ready: false,
          state: {
            terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt, finishedAt },
          },
        };
        notify(pod.spec.uid);
        return;
      }
      state.status = {
        ...state.status,
        ready: false,
        restartCount: state.status.restartCount + 1,
        state: {
          waiting: { reason: 'CrashLoopBackOff', message: `back-off restarting failed container ${name}` },
        },
      };
      state.previousLog = state.log;
      state.log = [];
      notify(pod.spec.uid);
      state.restartTimer = setTimeout(() => {
        if (!pod.stopped) start(pod, name);
      }, restartDelayMs);
    });
  }

  return {
    pods,
    async runPod(spec) {
      if (pods.has(spec.uid)) return;
      const pod: PodState = { spec, containers: new Map(), stopped: false };
      pods.set(spec.uid, pod);
      for (const container of spec.containers) {
        pod.containers.set(container.name, {
          process: undefined,
          log: [],
          previousLog: [],
          restartTimer: undefined,
          status: {
            name: container.name,
            ready: false,
            restartCount: 0,
            started: false,
            state: { waiting: { reason: 'ContainerCreating' } },
          },
        });
        start(pod, container.name);
      }
    },
    async killPod(uid) {
      const pod = pods.get(uid);
      if (!pod) return;
      pod.stopped = true;
      await Promise.all(
        [...pod.containers.values()].map(
          (state) =>
            new Promise<void>((resolve) => {
              if (state.restartTimer) clearTimeout(state.restartTimer);
              if (!state.process || state.process.exitCode !== null) return resolve();
              state.process.once('exit', () => resolve());
              state.process.kill('SIGKILL');
            }),
        ),
      );
      pods.delete(uid);
      notify(uid);
    },
    podStatus(uid): RuntimePodStatus | undefined {
      const pod = pods.get(uid);
      if (!pod) return undefined;
      const containers = [...pod.containers.values()].map((state) => state.status);
      const allTerminated = containers.every((status) => 'terminated' in status.state);
      const phase = allTerminated
        ? containers.every((status) => 'terminated' in status.state && status.state.terminated.exitCode === 0)
          ? 'Succeeded'
          : 'Failed'
        : 'Running';
      return { uid, ip: '127.0.0.1', phase, containers };
    },
    exec({ uid, container, command }): ExecSession {
      const pod = pods.get(uid);
      const workingDir =
        pod?.spec.containers.find((candidate) => candidate.name === container)?.workingDir ?? '/';
      const child = spawn(command[0]!, command.slice(1), {
        cwd: workingDir,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const exit = new Promise<{ exitCode: number } | { error: string }>((resolve) => {
        child.on('error', (error) => resolve({ error: `exec: ${error.message}` }));
        child.on('close', (code, signal) => resolve({ exitCode: code ?? (signal ? 128 + 9 : 1) }));
      });
      return {
        stdin: child.stdin!,
        stdout: child.stdout!,
        stderr: child.stderr!,
        exit,
        kill: (signal) => child.kill(signal ?? 'SIGTERM'),
      };
    },
    logs({ uid, container, previous }) {
      const state = pods.get(uid)?.containers.get(container);
      return Readable.from([Buffer.concat(previous ? (state?.previousLog ?? []) : (state?.log ?? []))]);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      await Promise.all([...pods.keys()].map((uid) => this.killPod(uid)));
    },
  };
}
