import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { chmod, chown, copyFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LabObject } from '../lab-object.js';
import type { LabState } from '../lab-state.js';
import type { LabAttachment, LabNetwork } from '../network/lab-network.js';
import { hostReadOnlyPaths } from '../pod/bwrap-command.js';
import { runCommand } from '../run-command.js';
import { SandboxError } from '../sandbox-error.js';
import { dockerStandInScript } from './docker-stand-in-script.js';
import { nodeUserId, renderNodeEtcFiles } from './node-etc-files.js';
import {
  buildNodeViewArguments,
  nodeEnterArguments,
  nodeViewRemountArguments,
} from './node-view-arguments.js';

/** What a node is for. */
export type LabNodeRole = 'control-plane' | 'jump';

/** Options of {@link startNode}. */
export interface StartNodeOptions {
  /** The lab journal: the node's directory, mount, netns, link and processes are recorded before creation. */
  state: LabState;
  /** The lab network: the node gets a namespace and a stable address on it (key `node/NAME`). */
  network: LabNetwork;
  /** Node name (a DNS label): hostname, hosts-file name, `DIR/nodes/NAME`. */
  name: string;
  /**
   * `control-plane` (default): `/etc/kubernetes/{manifests,pki}`, `/opt/data/var/lib/etcd` and the docker
   * stand-in. `jump`: only sshd, for reaching the other nodes with `ssh -J`.
   */
  role?: LabNodeRole;
  /**
   * Files copied into the node's `/etc/kubernetes/pki`: path relative to it (e.g. `etcd/server.key`) to
   * the source file on the host. Owned by root; `*.key` files mode 0600, others 0644. Default none.
   */
  pki?: Record<string, string>;
  /**
   * Addresses `ubuntu` may log in from (sshd `AllowUsers ubuntu@ADDRESS`). Default: anywhere. Pass the
   * jump host's address to refuse direct logins from the host.
   */
  allowSshFrom?: string[];
  /** How long to wait for sshd to accept connections, in ms. Default 10000. */
  readyTimeoutMs?: number;
}

/** A running lab node. */
export interface LabNode {
  name: string;
  role: LabNodeRole;
  /** Address of the node on the lab bridge (sshd listens on port 22 there). */
  ip: string;
  /** Name of its network namespace under /run/netns (static pods join it). */
  netns: string;
  /** The node's `/` on the host (`DIR/nodes/NAME/root`). */
  root: string;
  /** `DIR/nodes/NAME`: the node root, keys, logs. */
  directory: string;
  /** Private key of `ubuntu` (mode 0600), `DIR/nodes/NAME/id_ed25519`. */
  privateKeyPath: string;
  /** The node's sshd host key (`ssh-ed25519 AAAA...`), for known_hosts. */
  hostPublicKey: string;
  /** Host pid of the process whose namespaces form the node (for nsenter). */
  holderPid: number;
  /** Stops sshd and every process of the node, unmounts its /usr and detaches it; keeps its files. */
  stop(): Promise<void>;
}

const infoFd = 3;
const hostPath = '/usr/sbin:/usr/bin:/sbin:/bin';
const nodeNamePattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Starts a lab node: a network namespace on the lab bridge, a node root `DIR/nodes/NAME/root` that is
 * the node's `/` (its own passwd, group, shadow, sudoers, sshd_config and host key; the host's /usr
 * read-only, with the docker stand-in overlaid at /usr/bin/docker), a key pair for `ubuntu`, and a real
 * OpenSSH `sshd -D` on port 22 of its address. Returns once sshd accepts connections.
 * @throws SandboxError `SANDBOX_NODE_INVALID` for a bad name, an existing node or a bad PKI path (before
 * anything is created); `SANDBOX_NODE_START_FAILED` when sshd does not come up (everything made is
 * removed again).
 */
export async function startNode(options: StartNodeOptions): Promise<LabNode> {
  const { state, network, name } = options;
  const role = options.role ?? 'control-plane';
  const directory = join(state.dir, 'nodes', name);
  validate(options, directory);
  const root = join(directory, 'root');
  const usrPath = join(directory, 'usr');
  const privateKeyPath = join(directory, 'id_ed25519');
  const processes: Array<{ child: ChildProcess; object: LabObject | undefined }> = [];
  let attachment: LabAttachment | undefined;
  let mounted = false;
  let holderPid = 0;

  const stop = async (): Promise<void> => {
    for (const { child } of processes.slice().reverse()) signalGroup(child.pid, 'SIGKILL');
    await Promise.all(processes.map(({ child }) => exited(child)));
    for (const { object } of processes) if (object) state.forget(object);
    processes.length = 0;
    if (mounted) {
      await runCommand({ command: 'umount', args: [usrPath], allowFailure: true });
      state.forget({ kind: 'mount', path: usrPath });
      mounted = false;
    }
    if (attachment) {
      await network.detach(attachment);
      network.removeHostsEntry(`node/${name}`);
      attachment = undefined;
    }
  };

  try {
    state.record({ kind: 'directory', path: dirname(directory) });
    state.record({ kind: 'directory', path: directory });
    await prepareRoot({ root, name, role, allowSshFrom: options.allowSshFrom, pki: options.pki });
    await runCommand({
      command: 'ssh-keygen',
      args: ['-q', '-t', 'ed25519', '-N', '', '-C', `ubuntu@${name}`, '-f', privateKeyPath],
    });
    const authorizedKeys = join(root, 'home/ubuntu/.ssh/authorized_keys');
    await copyFile(`${privateKeyPath}.pub`, authorizedKeys);
    await chmod(authorizedKeys, 0o600);
    await chown(authorizedKeys, nodeUserId, nodeUserId);

    let viewUsr = '/usr';
    if (role === 'control-plane') {
      const layer = join(directory, 'docker-layer');
      for (const path of ['bin/docker', 'local/bin/docker']) {
        await mkdir(dirname(join(layer, path)), { recursive: true });
        await writeFile(join(layer, path), dockerStandInScript, { mode: 0o755 });
      }
      await mkdir(usrPath);
      state.record({ kind: 'mount', path: usrPath });
      mounted = true;
      await runCommand({
        command: 'mount',
        args: ['-t', 'overlay', `${state.prefix}-${name}-usr`, '-o', `lowerdir=${layer}:/usr`, usrPath],
      });
      viewUsr = usrPath;
    }

    attachment = await network.attach({ key: `node/${name}`, label: `node-${name}`, hostNames: [name] });
    const ip = attachment.ip;

    const holderLog = openSync(join(directory, 'node.log'), 'a', 0o600);
    let holder: ChildProcess;
    try {
      holder = spawn(
        'ip',
        [
          'netns',
          'exec',
          attachment.netns,
          'bwrap',
          ...buildNodeViewArguments({
            root,
            usrPath: viewUsr,
            hostsPath: network.hostsPath,
            hostname: name,
            hostPaths: hostReadOnlyPaths.filter((path) => existsSync(path)),
            infoFd,
          }),
        ],
        { detached: true, stdio: ['ignore', holderLog, holderLog, 'pipe'], env: { PATH: hostPath } },
      );
    } finally {
      closeSync(holderLog);
    }
    processes.push({
      child: holder,
      object: holder.pid
        ? state.recordProcess({ pid: holder.pid, group: true, description: `node ${name} view` })
        : undefined,
    });
    holderPid = await readChildPid(holder, name, directory);
    await waitForViewReady({ reaperPid: holderPid, name, directory });
    await runCommand({ command: 'nsenter', args: nodeViewRemountArguments({ holderPid }) });

    const sshdLog = openSync(join(directory, 'sshd.log'), 'a', 0o600);
    let sshd: ChildProcess;
    try {
      sshd = spawn(
        'nsenter',
        nodeEnterArguments({
          holderPid,
          command: ['/usr/sbin/sshd', '-D', '-e', '-f', '/etc/ssh/sshd_config'],
        }),
        { detached: true, stdio: ['ignore', sshdLog, sshdLog], env: { PATH: hostPath } },
      );
    } finally {
      closeSync(sshdLog);
    }
    processes.push({
      child: sshd,
      object: sshd.pid
        ? state.recordProcess({ pid: sshd.pid, group: true, description: `node ${name} sshd` })
        : undefined,
    });
    await waitForPort({ ip, port: 22, timeoutMs: options.readyTimeoutMs ?? 10_000, sshd, name, directory });

    const hostPublicKey = (await readFile(join(root, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8'))
      .trim()
      .split(' ')
      .slice(0, 2)
      .join(' ');
    return {
      name,
      role,
      ip,
      netns: attachment.netns,
      root,
      directory,
      privateKeyPath,
      hostPublicKey,
      holderPid,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function validate(options: StartNodeOptions, directory: string): void {
  if (!nodeNamePattern.test(options.name)) {
    throw invalid(
      `node name "${options.name}" is not a DNS label`,
      'use lower-case letters, digits and dashes',
    );
  }
  if (existsSync(directory)) {
    throw invalid(
      `node ${options.name} already exists at ${directory}`,
      'stop it first or pick another name',
    );
  }
  if (/[:,]/.test(directory)) {
    throw invalid(`lab directory ${directory} contains ":" or ","`, 'use a lab directory without them');
  }
  for (const [path, source] of Object.entries(options.pki ?? {})) {
    if (isAbsolute(path) || normalize(path).startsWith('..') || path.split('/').includes('..')) {
      throw invalid(
        `PKI file "${path}" of node ${options.name} is not a path inside /etc/kubernetes/pki`,
        'give paths relative to /etc/kubernetes/pki, e.g. etcd/server.key',
      );
    }
    if (!existsSync(source)) {
      throw invalid(
        `PKI source ${source} for ${path} of node ${options.name} does not exist`,
        'create the PKI first',
      );
    }
  }
}

async function prepareRoot(options: {
  root: string;
  name: string;
  role: LabNodeRole;
  allowSshFrom: string[] | undefined;
  pki: Record<string, string> | undefined;
}): Promise<void> {
  const { root } = options;
  await mkdir(root, { recursive: true, mode: 0o755 });
  const directories: Array<[string, number]> = [
    ['etc/ssh', 0o755],
    ['etc/pam.d', 0o755],
    ['root', 0o700],
    ['run/sshd', 0o755],
    ['var/log', 0o755],
    ['home', 0o755],
    ['usr', 0o755],
  ];
  if (options.role === 'control-plane') {
    directories.push(
      ['etc/kubernetes/manifests', 0o755],
      ['etc/kubernetes/pki', 0o755],
      ['opt/data/var/lib/etcd', 0o700],
    );
  }
  for (const [path, mode] of directories) {
    await mkdir(join(root, path), { recursive: true });
    await chmod(join(root, path), mode);
  }
  for (const path of ['tmp', 'var/tmp']) {
    await mkdir(join(root, path), { recursive: true });
    await chmod(join(root, path), 0o1777);
  }
  for (const [link, target] of [
    ['bin', 'usr/bin'],
    ['sbin', 'usr/sbin'],
    ['lib', 'usr/lib'],
    ['lib64', 'usr/lib64'],
  ] as const) {
    await symlink(target, join(root, link));
  }
  const home = join(root, 'home/ubuntu');
  await mkdir(join(home, '.ssh'), { recursive: true });
  await chmod(home, 0o755);
  await chmod(join(home, '.ssh'), 0o700);
  await chown(home, nodeUserId, nodeUserId);
  await chown(join(home, '.ssh'), nodeUserId, nodeUserId);
  for (const file of renderNodeEtcFiles({
    name: options.name,
    ...(options.allowSshFrom ? { sshd: { allowFrom: options.allowSshFrom } } : {}),
  })) {
    await writeFile(join(root, file.path), file.content, { mode: file.mode });
    await chmod(join(root, file.path), file.mode);
  }
  await runCommand({
    command: 'ssh-keygen',
    args: [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      `root@${options.name}`,
      '-f',
      join(root, 'etc/ssh/ssh_host_ed25519_key'),
    ],
  });
  for (const [path, source] of Object.entries(options.pki ?? {})) {
    const target = join(root, 'etc/kubernetes/pki', normalize(path));
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    await copyFile(source, target);
    await chmod(target, path.endsWith('.key') ? 0o600 : 0o644);
    await chown(target, 0, 0);
  }
}

async function readChildPid(holder: ChildProcess, name: string, directory: string): Promise<number> {
  const info = holder.stdio[infoFd] as Readable;
  let text = '';
  return await new Promise<number>((resolve, reject) => {
    const fail = () =>
      reject(startFailed(`the view of node ${name} exited before it started`, join(directory, 'node.log')));
    info.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = /"child-pid":\s*(\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    info.on('error', () => {});
    holder.on('error', fail);
    holder.on('close', fail);
  });
}

/** bwrap reports its child before it has built the view; the view is ready once `sleep` runs in it. */
async function waitForViewReady(options: {
  reaperPid: number;
  name: string;
  directory: string;
}): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    let children: string[] = [];
    try {
      children = readFileSync(`/proc/${options.reaperPid}/task/${options.reaperPid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean);
    } catch {
      break;
    }
    for (const pid of children) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('/usr/bin/sleep\0')) return;
      } catch {}
    }
    await sleep(10);
  }
  throw startFailed(`the view of node ${options.name} did not start`, join(options.directory, 'node.log'));
}

async function waitForPort(options: {
  ip: string;
  port: number;
  timeoutMs: number;
  sshd: ChildProcess;
  name: string;
  directory: string;
}): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.sshd.exitCode !== null || options.sshd.signalCode !== null) {
      throw startFailed(`sshd of node ${options.name} exited`, join(options.directory, 'sshd.log'));
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: options.ip, port: options.port });
      socket.setTimeout(500, () => socket.destroy());
      socket.on('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
      socket.on('close', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) {
      throw startFailed(
        `sshd of node ${options.name} does not accept connections on ${options.ip}:22`,
        join(options.directory, 'sshd.log'),
      );
    }
    await sleep(50);
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('close', () => resolve()));
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {}
}

function invalid(message: string, remedy: string): SandboxError {
  return new SandboxError({ code: 'SANDBOX_NODE_INVALID', message, remedy });
}

function startFailed(message: string, logPath: string): SandboxError {
  let tail = '';
  try {
    tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {}
  return new SandboxError({
    code: 'SANDBOX_NODE_START_FAILED',
    message: `${message}${tail ? `: ${tail}` : ''}`,
    remedy: `read ${logPath}; check that openssh-server and bubblewrap are installed`,
  });
}
