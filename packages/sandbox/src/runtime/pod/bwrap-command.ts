import { isAbsolute, join, normalize } from 'node:path';
import type { RuntimeContainer, RuntimePodSpec } from '../pod-runtime.js';
import { SandboxError } from '../sandbox-error.js';

/** One bind mount of a container: a host path and where it appears inside. */
export interface ContainerMount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** The PATH every container and exec gets unless the pod sets its own. */
export const defaultContainerPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Host paths bound read-only into every container when they exist (binaries come from the host). */
export const hostReadOnlyPaths = [
  '/etc/ssl',
  '/etc/ca-certificates',
  '/etc/alternatives',
  '/etc/ld.so.cache',
];

/**
 * Resolves a container's volumeMounts to host paths: the volume's hostPath (inside the pod's node root
 * when it has one), read-only when either the volume or the mount says so.
 * @throws SandboxError `SANDBOX_POD_INVALID` for a mount of an unknown volume or a relative path.
 */
export function resolveContainerMounts(options: {
  pod: RuntimePodSpec;
  container: RuntimeContainer;
}): ContainerMount[] {
  const { pod, container } = options;
  return container.volumeMounts.map((mount) => {
    const volume = pod.volumes.find((candidate) => candidate.name === mount.name);
    const where = `pod ${pod.namespace}/${pod.name} container ${container.name}`;
    if (!volume) {
      throw invalid(`${where} mounts volume "${mount.name}", which the pod does not define`);
    }
    if (!isAbsolute(mount.mountPath) || !isAbsolute(volume.hostPath)) {
      throw invalid(
        `${where}: mount path ${mount.mountPath} and volume path ${volume.hostPath} must be absolute`,
      );
    }
    const source = pod.root ? join(pod.root, normalize(volume.hostPath)) : normalize(volume.hostPath);
    return {
      source,
      target: normalize(mount.mountPath),
      readOnly: Boolean(volume.readOnly || mount.readOnly),
    };
  });
}

/** The environment of a container (and of every exec in it): PATH, HOSTNAME, HOME, then the pod's own. */
export function containerEnvironment(options: {
  pod: RuntimePodSpec;
  container: RuntimeContainer;
}): Array<[string, string]> {
  const environment = new Map<string, string>([
    ['PATH', defaultContainerPath],
    ['HOSTNAME', options.pod.hostname],
    ['HOME', '/root'],
  ]);
  for (const variable of options.container.env ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(variable.name)) {
      throw invalid(
        `container ${options.container.name} has an invalid environment variable name "${variable.name}"`,
      );
    }
    environment.set(variable.name, variable.value);
  }
  return [...environment];
}

/** Options of {@link buildBwrapArguments}. */
export interface BuildBwrapArgumentsOptions {
  pod: RuntimePodSpec;
  container: RuntimeContainer;
  /** The lab hosts file, bound read-only at /etc/hosts. */
  hostsPath: string;
  /** The pod's /tmp on the host (shared by its containers and execs). */
  podTmpPath: string;
  /** Files bound read-only at `/etc/<name>` (e.g. the lab's passwd and group). */
  etcFiles: Record<string, string>;
  /** Which of {@link hostReadOnlyPaths} exist on this host. */
  hostPaths: string[];
  /** File descriptor bwrap writes its JSON info (with `child-pid`) to. */
  infoFd: number;
  /**
   * Size cap of the container's tmpfs root (RAM-backed; holds e.g. the utility pod's `/snapshot.db` and
   * `default.etcd/`). Default 512 MiB.
   */
  rootSizeBytes?: number;
}

/**
 * The `bwrap` arguments of one container: a tmpfs root (never a bind of `/`, which would create mount
 * points on the host), the host's /usr read-only with the usual merged-/usr symlinks, fresh /proc and
 * /dev, the hosts file, a pid namespace of its own (so the container dies as a whole), the volumes,
 * the working directory and a clean environment. bwrap 0.8.0 supports every flag used here.
 */
export function buildBwrapArguments(options: BuildBwrapArgumentsOptions): string[] {
  const { pod, container } = options;
  const args = [
    '--die-with-parent',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--hostname',
    pod.hostname,
    '--size',
    String(options.rootSizeBytes ?? 512 * 1024 * 1024),
    '--tmpfs',
    '/',
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/bin',
    '/bin',
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--symlink',
    'usr/sbin',
    '/sbin',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--dir',
    '/var/tmp',
    '--dir',
    '/root',
    '--ro-bind',
    options.hostsPath,
    '/etc/hosts',
  ];
  for (const path of options.hostPaths) args.push('--ro-bind', path, path);
  for (const [name, path] of Object.entries(options.etcFiles)) args.push('--ro-bind', path, `/etc/${name}`);
  args.push('--bind', options.podTmpPath, '/tmp');
  for (const mount of resolveContainerMounts({ pod, container })) {
    args.push(mount.readOnly ? '--ro-bind' : '--bind', mount.source, mount.target);
  }
  const workingDir = container.workingDir || '/';
  if (workingDir !== '/') args.push('--dir', workingDir);
  args.push('--chdir', workingDir, '--clearenv');
  for (const [name, value] of containerEnvironment({ pod, container })) args.push('--setenv', name, value);
  args.push('--info-fd', String(options.infoFd), '--', ...container.command);
  return args;
}

/** Quotes one word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Options of {@link buildExecArguments}. */
export interface BuildExecArgumentsOptions {
  /** Host pid of the container's first process (bwrap's `child-pid`). */
  targetPid: number;
  command: string[];
  workingDir: string;
  environment: Array<[string, string]>;
  /** Give the command a pseudo-terminal (through `script`). Default false: plain pipes. */
  tty: boolean;
}

/**
 * The `nsenter` arguments that run a command inside a container: its mount, network, UTS, IPC and pid
 * namespaces (so it sees exactly the container's files and dies with it), in its working directory
 * with its environment and nothing of the caller's. Exit codes follow docker exec: 126 not executable,
 * 127 not found.
 */
export function buildExecArguments(options: BuildExecArgumentsOptions): string[] {
  const inner = options.tty
    ? ['/usr/bin/script', '-qefc', options.command.map(shellQuote).join(' '), '/dev/null']
    : options.command;
  return [
    '--target',
    String(options.targetPid),
    '--mount',
    '--net',
    '--uts',
    '--ipc',
    '--pid',
    '--',
    '/usr/bin/env',
    '-i',
    '-C',
    options.workingDir,
    ...options.environment.map(([name, value]) => `${name}=${value}`),
    ...inner,
  ];
}

function invalid(message: string): SandboxError {
  return new SandboxError({
    code: 'SANDBOX_POD_INVALID',
    message,
    remedy: 'fix the pod spec: every mount must name a volume of the pod, paths must be absolute',
  });
}
