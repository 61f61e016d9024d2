import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, createReadStream, existsSync, openSync, readFileSync } from 'node:fs';
import { chmod, mkdir, open, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LabObject } from '../lab-object.js';
import type { LabState } from '../lab-state.js';
import { podHostNames } from '../network/address-plan.js';
import type { LabAttachment, LabNetwork } from '../network/lab-network.js';
import type {
  ExecSession,
  PodRuntime,
  RuntimeContainer,
  RuntimeContainerStatus,
  RuntimePodSpec,
  RuntimePodStatus,
} from '../pod-runtime.js';
import { SandboxError } from '../sandbox-error.js';
import {
  buildBwrapArguments,
  buildExecArguments,
  containerEnvironment,
  hostReadOnlyPaths,
  resolveContainerMounts,
} from './bwrap-command.js';
import { imagePullMessage, isKnownImage } from './known-images.js';
import {
  backOffResetSeconds,
  podPhase,
  restartBackOffSeconds,
  shouldRestart,
  terminationReason,
} from './restart-policy.js';

/** Options of {@link BwrapPodRuntime.create}. */
export interface CreateBwrapPodRuntimeOptions {
  /** The lab journal: pod dirs and processes are recorded in it. */
  state: LabState;
  /** The lab network: pods with `network.kind === 'own'` get a namespace on it. */
  network: LabNetwork;
  /** Default grace period of {@link BwrapPodRuntime.killPod}, in seconds. Default 30, as Kubernetes. */
  defaultGracePeriodSeconds?: number;
}

interface ContainerRecord {
  spec: RuntimeContainer;
  status: RuntimeContainerStatus;
  hasRun: boolean;
  consecutiveFailures: number;
  process?: ChildProcess;
  processObject?: LabObject;
  childPid?: number;
  startedAtMs?: number;
  exited?: Promise<void>;
  timer?: NodeJS.Timeout;
  probeTimer?: NodeJS.Timeout;
  probing?: ChildProcess;
}

interface PodRecord {
  spec: RuntimePodSpec;
  directory: string;
  ip?: string;
  attachment?: LabAttachment;
  containers: Map<string, ContainerRecord>;
  execs: Set<ChildProcess>;
  /** Settles once runPod has created the pod dir and network (or failed to). */
  setUp?: Promise<void>;
  terminating?: Promise<void>;
  stopping: boolean;
}

const infoFd = 3;
const hostSearchPath = '/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The lab's kubelet and container runtime: each container is a `bwrap` process inside the pod's
 * network namespace (`ip netns exec`), with a tmpfs root and the host's /usr read-only; `exec` is
 * `nsenter` into the container's namespaces. See packages/sandbox/DESIGN.md, "Pods".
 */
export class BwrapPodRuntime implements PodRuntime {
  readonly #state: LabState;
  readonly #network: LabNetwork;
  readonly #podsDirectory: string;
  readonly #etcFiles: Record<string, string>;
  readonly #hostPaths: string[];
  readonly #defaultGrace: number;
  readonly #pods = new Map<string, PodRecord>();
  readonly #byName = new Map<string, string>();
  readonly #listeners = new Set<(uid: string) => void>();
  #closed = false;

  private constructor(options: CreateBwrapPodRuntimeOptions, etcFiles: Record<string, string>) {
    this.#state = options.state;
    this.#network = options.network;
    this.#podsDirectory = join(options.state.dir, 'pods');
    this.#etcFiles = etcFiles;
    this.#hostPaths = hostReadOnlyPaths.filter((path) => existsSync(path));
    this.#defaultGrace = options.defaultGracePeriodSeconds ?? 30;
  }

  /** Prepares `DIR/pods` and the lab's own passwd and group (root and nobody), bound into every pod. */
  static async create(options: CreateBwrapPodRuntimeOptions): Promise<BwrapPodRuntime> {
    const podsDirectory = join(options.state.dir, 'pods');
    const etcDirectory = join(options.state.dir, 'pod-etc');
    options.state.record({ kind: 'directory', path: podsDirectory });
    options.state.record({ kind: 'directory', path: etcDirectory });
    await mkdir(podsDirectory, { recursive: true, mode: 0o700 });
    await mkdir(etcDirectory, { recursive: true });
    const etcFiles = {
      passwd: join(etcDirectory, 'passwd'),
      group: join(etcDirectory, 'group'),
    };
    await writeFile(
      etcFiles.passwd,
      'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n',
    );
    await writeFile(etcFiles.group, 'root:x:0:\nnogroup:x:65534:\n');
    return new BwrapPodRuntime(options, etcFiles);
  }

  /**
   * Starts a pod: its dir, its netns (own network), then every container. Resolves once the containers
   * were spawned, before they are running or ready. A second call with the same uid does nothing; a
   * pod with the same namespace/name but another uid is killed first.
   * @throws SandboxError `SANDBOX_POD_INVALID` for a bad spec (nothing created), `SANDBOX_RUNTIME_CLOSED`.
   */
  async runPod(spec: RuntimePodSpec): Promise<void> {
    if (this.#closed) throw closedError();
    if (this.#pods.has(spec.uid)) return;
    validatePod(spec);
    const key = `${spec.namespace}/${spec.name}`;
    const previousUid = this.#byName.get(key);
    const previous = previousUid ? this.#pods.get(previousUid) : undefined;
    if (previous) {
      // The API holds one pod per name: an older uid still here is stale and goes first (it is already
      // terminating when the glue deleted it; else it is killed now with the default grace period).
      await this.killPod(previous.spec.uid);
      if (this.#pods.has(spec.uid) || this.#closed) return;
    }
    const directory = join(this.#podsDirectory, spec.uid);
    const pod: PodRecord = { spec, directory, containers: new Map(), execs: new Set(), stopping: false };
    this.#pods.set(spec.uid, pod);
    this.#byName.set(key, spec.uid);
    for (const container of spec.containers) {
      pod.containers.set(container.name, {
        spec: container,
        hasRun: false,
        consecutiveFailures: 0,
        status: {
          name: container.name,
          ready: false,
          restartCount: 0,
          started: false,
          state: { waiting: { reason: 'ContainerCreating' } },
        },
      });
    }
    pod.setUp = this.#setUpPod(pod, key);
    await pod.setUp;
    if (pod.stopping) return;
    for (const container of pod.containers.values()) this.#startContainer(pod, container);
    this.#emit(spec.uid);
  }

  async #setUpPod(pod: PodRecord, key: string): Promise<void> {
    const { spec, directory } = pod;
    try {
      this.#state.record({ kind: 'directory', path: directory });
      await mkdir(join(directory, 'tmp'), { recursive: true });
      await chmod(join(directory, 'tmp'), 0o1777);
      await mkdir(join(directory, 'logs'), { recursive: true, mode: 0o700 });
      if (spec.network.kind === 'own') {
        pod.attachment = await this.#network.attach({
          key,
          label: `${spec.namespace}-${spec.name}`,
          hostNames: podHostNames(spec),
        });
        pod.ip = pod.attachment.ip;
      } else {
        pod.ip = spec.network.ip;
      }
    } catch (error) {
      await this.#cleanUpPod(pod);
      throw error;
    }
  }

  async killPod(uid: string, options: { gracePeriodSeconds?: number } = {}): Promise<void> {
    const pod = this.#pods.get(uid);
    if (!pod) return;
    if (!pod.terminating)
      pod.terminating = this.#terminate(pod, options.gracePeriodSeconds ?? this.#defaultGrace);
    await pod.terminating;
  }

  podStatus(uid: string): RuntimePodStatus | undefined {
    const pod = this.#pods.get(uid);
    if (!pod) return undefined;
    const containers = [...pod.containers.values()];
    return {
      uid,
      ...(pod.ip ? { ip: pod.ip } : {}),
      phase: podPhase({
        restartPolicy: pod.spec.restartPolicy,
        containers: containers.map((container) => ({
          state: container.status.state,
          hasRun: container.hasRun,
        })),
      }),
      containers: containers.map((container) => structuredClone(container.status)),
    };
  }

  exec(options: { uid: string; container: string; command: string[]; tty: boolean }): ExecSession {
    const pod = this.#pods.get(options.uid);
    const container = pod?.containers.get(options.container);
    if (!pod || !container) {
      return failedSession(`container not found ("${options.container}")`);
    }
    if (!container.childPid || !('running' in container.status.state) || pod.stopping) {
      return failedSession(`container ${options.container} is not running`);
    }
    if (options.command.length === 0) return failedSession('no command given');
    const child = spawn(
      'nsenter',
      buildExecArguments({
        targetPid: container.childPid,
        command: options.command,
        workingDir: container.spec.workingDir || '/',
        environment: containerEnvironment({ pod: pod.spec, container: container.spec }),
        tty: options.tty,
      }),
      { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { PATH: hostSearchPath } },
    );
    pod.execs.add(child);
    child.stdin.on('error', () => {});
    const exit = new Promise<{ exitCode: number } | { error: string }>((resolve) => {
      child.on('error', (error) => resolve({ error: `cannot start nsenter: ${error.message}` }));
      child.on('close', (code, signal) => {
        pod.execs.delete(child);
        resolve({ exitCode: code ?? 128 + signalNumber(signal) });
      });
    });
    return {
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      exit,
      kill: (signal: NodeJS.Signals = 'SIGKILL') => signalGroup(child.pid, signal),
    };
  }

  logs(options: { uid: string; container: string; previous?: boolean; follow?: boolean }): Readable {
    const pod = this.#pods.get(options.uid);
    const container = pod?.containers.get(options.container);
    if (!pod || !container) {
      throw new SandboxError({
        code: pod ? 'SANDBOX_CONTAINER_NOT_FOUND' : 'SANDBOX_POD_NOT_FOUND',
        message: pod
          ? `container ${options.container} is not valid for pod ${pod.spec.name}`
          : `pod with uid ${options.uid} does not run here`,
        remedy: 'check the pod and container names',
      });
    }
    const attempt = container.status.restartCount - (options.previous ? 1 : 0);
    const path = logPath(pod, container.spec.name, attempt);
    if (attempt < 0 || !container.hasRun || !existsSync(path)) {
      throw new SandboxError({
        code: 'SANDBOX_CONTAINER_NOT_FOUND',
        message: options.previous
          ? `previous terminated container "${options.container}" in pod "${pod.spec.name}" not found`
          : `container "${options.container}" in pod "${pod.spec.name}" is waiting to start: ${'waiting' in container.status.state ? container.status.state.waiting.reason : 'not started'}`,
        remedy: 'wait for the container to start, or ask for the current logs',
      });
    }
    if (!options.follow || options.previous) return createReadStream(path);
    const isCurrent = () =>
      this.#pods.get(options.uid) === pod &&
      container.status.restartCount === attempt &&
      container.process !== undefined;
    return Readable.from(followFile({ path, isCurrent }));
  }

  onChange(listener: (uid: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#pods.keys()].map((uid) => this.killPod(uid, { gracePeriodSeconds: 2 })));
  }

  #emit(uid: string): void {
    for (const listener of this.#listeners) {
      try {
        listener(uid);
      } catch {}
    }
  }

  #setState(pod: PodRecord, container: ContainerRecord, state: RuntimeContainerStatus['state']): void {
    container.status.state = state;
    container.status.started = 'running' in state;
    if (!('running' in state)) container.status.ready = false;
    this.#emit(pod.spec.uid);
  }

  #startContainer(pod: PodRecord, container: ContainerRecord): void {
    if (pod.stopping) return;
    if (!isKnownImage(container.spec.image)) {
      this.#setState(pod, container, {
        waiting: { reason: 'ErrImagePull', message: imagePullMessage(container.spec.image) },
      });
      return;
    }
    const missing = resolveContainerMounts({ pod: pod.spec, container: container.spec }).find(
      (mount) => !existsSync(mount.source),
    );
    if (missing) {
      this.#setState(pod, container, {
        waiting: {
          reason: 'CreateContainerError',
          message: `volume source ${missing.source} for ${missing.target} does not exist on the host`,
        },
      });
      return;
    }
    const netns = pod.attachment?.netns ?? (pod.spec.network.kind === 'join' ? pod.spec.network.netns : '');
    const args = buildBwrapArguments({
      pod: pod.spec,
      container: container.spec,
      hostsPath: this.#network.hostsPath,
      podTmpPath: join(pod.directory, 'tmp'),
      etcFiles: this.#etcFiles,
      hostPaths: this.#hostPaths,
      infoFd,
    });
    const launcher = netns.startsWith('/')
      ? { command: 'nsenter', args: [`--net=${netns}`, '--', 'bwrap', ...args] }
      : { command: 'ip', args: ['netns', 'exec', netns, 'bwrap', ...args] };
    const path = logPath(pod, container.spec.name, container.status.restartCount);
    let child: ChildProcess;
    try {
      const logFd = openSync(path, 'a', 0o600);
      try {
        child = spawn(launcher.command, launcher.args, {
          detached: true,
          stdio: ['ignore', logFd, logFd, 'pipe'],
          env: { PATH: hostSearchPath },
        });
      } finally {
        closeSync(logFd);
      }
    } catch (error) {
      this.#setState(pod, container, {
        waiting: { reason: 'RunContainerError', message: `cannot start bwrap: ${(error as Error).message}` },
      });
      return;
    }
    container.process = child;
    container.hasRun = true;
    container.startedAtMs = Date.now();
    const startedAt = new Date(container.startedAtMs).toISOString();
    if (child.pid) {
      container.processObject = this.#state.recordProcess({
        pid: child.pid,
        group: true,
        description: `pod ${pod.spec.namespace}/${pod.spec.name} container ${container.spec.name}`,
      });
    }
    const info = child.stdio[infoFd] as Readable;
    let infoText = '';
    info.on('data', (chunk: Buffer) => {
      infoText += chunk.toString('utf8');
      const match = /"child-pid":\s*(\d+)/.exec(infoText);
      if (match && container.process === child && !container.childPid) {
        container.childPid = Number(match[1]);
        this.#setState(pod, container, { running: { startedAt } });
        this.#scheduleProbe(pod, container, 300);
      }
    });
    info.on('error', () => {});
    container.exited = new Promise<void>((resolve) => {
      child.on('error', () => {});
      child.on('close', (code, signal) => {
        const exitCode = code ?? 128 + signalNumber(signal);
        this.#onExit(pod, container, child, exitCode, startedAt);
        resolve();
      });
    });
  }

  #onExit(
    pod: PodRecord,
    container: ContainerRecord,
    child: ChildProcess,
    exitCode: number,
    startedAt: string,
  ): void {
    if (container.process !== child) return;
    if (container.processObject) this.#state.forget(container.processObject);
    container.process = undefined;
    container.processObject = undefined;
    container.childPid = undefined;
    clearTimeout(container.probeTimer);
    container.probing?.kill('SIGKILL');
    const ranSeconds = (Date.now() - (container.startedAtMs ?? Date.now())) / 1000;
    const finishedAt = new Date().toISOString();
    this.#setState(pod, container, {
      terminated: { exitCode, reason: terminationReason(exitCode), startedAt, finishedAt },
    });
    if (pod.stopping || this.#closed || !shouldRestart({ restartPolicy: pod.spec.restartPolicy, exitCode }))
      return;
    container.consecutiveFailures = ranSeconds >= backOffResetSeconds ? 1 : container.consecutiveFailures + 1;
    const delay = restartBackOffSeconds({ consecutiveFailures: container.consecutiveFailures });
    this.#setState(pod, container, {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${delay}s restarting failed container=${container.spec.name} pod=${pod.spec.name}_${pod.spec.namespace}(${pod.spec.uid})`,
      },
    });
    container.timer = setTimeout(() => {
      container.timer = undefined;
      if (pod.stopping) return;
      container.status.restartCount++;
      this.#startContainer(pod, container);
    }, delay * 1000);
  }

  #scheduleProbe(pod: PodRecord, container: ContainerRecord, delayMs: number): void {
    clearTimeout(container.probeTimer);
    container.probeTimer = setTimeout(() => void this.#probe(pod, container), delayMs);
  }

  async #probe(pod: PodRecord, container: ContainerRecord): Promise<void> {
    const childPid = container.childPid;
    if (!childPid || pod.stopping) return;
    const probe = container.spec.readinessProbe;
    let ready = true;
    if (probe?.exec || probe?.tcpSocket) {
      const command = probe.exec
        ? buildExecArguments({
            targetPid: childPid,
            command: probe.exec.command,
            workingDir: container.spec.workingDir || '/',
            environment: containerEnvironment({ pod: pod.spec, container: container.spec }),
            tty: false,
          })
        : [
            '--target',
            String(childPid),
            '--net',
            '--',
            '/usr/bin/timeout',
            '2',
            '/usr/bin/bash',
            '-c',
            `exec 3<>/dev/tcp/127.0.0.1/${probe.tcpSocket!.port} || exec 3<>/dev/tcp/${pod.ip}/${probe.tcpSocket!.port}`,
          ];
      ready = await new Promise<boolean>((resolve) => {
        const child = spawn('nsenter', command, { stdio: 'ignore', env: { PATH: hostSearchPath } });
        container.probing = child;
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.on('error', () => resolve(false));
        child.on('close', (code) => {
          clearTimeout(timer);
          container.probing = undefined;
          resolve(code === 0);
        });
      });
    }
    if (container.childPid !== childPid || pod.stopping) return;
    if (ready !== container.status.ready) {
      container.status.ready = ready;
      this.#emit(pod.spec.uid);
    }
    if (!probe) return;
    const periodSeconds = probe.periodSeconds ?? 10;
    this.#scheduleProbe(pod, container, (ready ? periodSeconds : Math.min(periodSeconds, 1)) * 1000);
  }

  async #terminate(pod: PodRecord, gracePeriodSeconds: number): Promise<void> {
    pod.stopping = true;
    if (!(await pod.setUp?.then(() => true).catch(() => false))) return;
    const containers = [...pod.containers.values()];
    for (const container of containers) {
      clearTimeout(container.timer);
      clearTimeout(container.probeTimer);
      container.probing?.kill('SIGKILL');
      if (container.childPid) {
        for (const pid of childrenOf(container.childPid)) signalProcess(pid, 'SIGTERM');
      }
    }
    const exited = Promise.all(
      containers.map((container) => (container.process ? container.exited : undefined)),
    );
    const graceful = await Promise.race([
      exited.then(() => true),
      sleep(gracePeriodSeconds * 1000).then(() => false),
    ]);
    if (!graceful) {
      for (const container of containers) signalGroup(container.process?.pid, 'SIGKILL');
      await exited;
    }
    for (const exec of pod.execs) signalGroup(exec.pid, 'SIGKILL');
    await this.#cleanUpPod(pod);
    this.#emit(pod.spec.uid);
  }

  async #cleanUpPod(pod: PodRecord): Promise<void> {
    const key = `${pod.spec.namespace}/${pod.spec.name}`;
    if (pod.attachment) {
      await this.#network.detach(pod.attachment);
      this.#network.removeHostsEntry(key);
    }
    await rm(pod.directory, { recursive: true, force: true });
    this.#state.forget({ kind: 'directory', path: pod.directory });
    this.#pods.delete(pod.spec.uid);
    if (this.#byName.get(key) === pod.spec.uid) this.#byName.delete(key);
  }
}

function validatePod(spec: RuntimePodSpec): void {
  const names = new Set<string>();
  for (const container of spec.containers) {
    if (names.has(container.name) || container.command.length === 0) {
      throw new SandboxError({
        code: 'SANDBOX_POD_INVALID',
        message: `pod ${spec.namespace}/${spec.name}: container ${container.name} is ${names.has(container.name) ? 'defined twice' : 'without a command'}`,
        remedy: 'give every container a unique name and a command',
      });
    }
    names.add(container.name);
    resolveContainerMounts({ pod: spec, container });
    containerEnvironment({ pod: spec, container });
  }
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(spec.hostname)) {
    throw new SandboxError({
      code: 'SANDBOX_POD_INVALID',
      message: `pod ${spec.namespace}/${spec.name}: hostname "${spec.hostname}" is not a DNS label`,
      remedy: 'use lower-case letters, digits, dots and dashes',
    });
  }
}

/** Yields a growing file's bytes until `isCurrent()` turns false and the end was read. */
async function* followFile(options: { path: string; isCurrent: () => boolean }): AsyncGenerator<Buffer> {
  const file = await open(options.path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      const current = options.isCurrent();
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead > 0) {
        yield Buffer.from(buffer.subarray(0, bytesRead));
        continue;
      }
      if (!current) return;
      await sleep(200);
    }
  } finally {
    await file.close();
  }
}

function logPath(pod: PodRecord, container: string, attempt: number): string {
  return join(pod.directory, 'logs', `${container}-${attempt}.log`);
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {}
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid) signalProcess(-pid, signal);
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return (signal && constants.signals[signal]) || 1;
}

function failedSession(error: string): ExecSession {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.end();
  stderr.end();
  const stdin = new PassThrough();
  stdin.resume();
  return { stdin, stdout, stderr, exit: Promise.resolve({ error }), kill: () => {} };
}

function closedError(): SandboxError {
  return new SandboxError({
    code: 'SANDBOX_RUNTIME_CLOSED',
    message: 'the pod runtime was closed',
    remedy: 'start a new lab',
  });
}
