import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A user that exists only inside the test sshd's mount namespace (bound over /etc/passwd and friends). */
export interface TestSshdUser {
  name: string;
  uid: number;
  /** Line(s) for /etc/sudoers, e.g. `NAME ALL=(root) NOPASSWD: ALL`. */
  sudoers?: string;
}

/** Options of {@link startTestSshd}. */
export interface StartTestSshdOptions {
  /** Address to listen on. Default 127.0.0.1. */
  listenAddress?: string;
  /** Run inside this network namespace (`ip netns exec`). */
  netns?: string;
  /** Extra sshd_config lines. */
  config?: string[];
  /** sshd LogLevel. Default VERBOSE (DEBUG levels also reach the client's stderr). */
  logLevel?: string;
  /** Users to add (with a private passwd/shadow/group/sudoers seen only by this sshd). */
  users?: TestSshdUser[];
}

/** A real OpenSSH sshd for tests, with its own host key, config and client key in a temp dir. */
export interface TestSshd {
  dir: string;
  port: number;
  address: string;
  pid: number;
  /** `SHA256:...` of the host key, as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string;
  /** Private key authorized for root and every added user. */
  clientKeyPath: string;
  /** What sshd has logged so far (-e: to stderr). */
  log(): string;
  /** Kills every process serving a connection (not the listener), simulating a dropped link. */
  killConnections(): Promise<number>;
  stop(): Promise<void>;
}

/** Picks a port that is free on the host's loopback now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts `/usr/sbin/sshd -D -e -f CONFIG` in its own mount namespace (`unshare --mount`): a tmpfs on /run
 * gives it the privilege-separation directory, and test users get private copies of /etc/passwd, shadow,
 * group and sudoers bound over the real ones there only. Nothing of the host's /etc or sshd is touched.
 */
export async function startTestSshd(options: StartTestSshdOptions = {}): Promise<TestSshd> {
  const dir = await mkdtemp(join(tmpdir(), 'etcd-dr-sshd-'));
  await chmod(dir, 0o755);
  const address = options.listenAddress ?? '127.0.0.1';
  const port = await freePort();
  const hostKey = join(dir, 'host_ed25519');
  const clientKeyPath = join(dir, 'client_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test-host', '-f', hostKey]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test-client', '-f', clientKeyPath]);
  await writeFile(join(dir, 'authorized_keys'), await readFile(`${clientKeyPath}.pub`));
  const fingerprintLine = (await run('ssh-keygen', ['-lf', `${hostKey}.pub`])).stdout;
  const hostKeyFingerprint = fingerprintLine.split(' ')[1]!;
  const config = [
    `Port ${port}`,
    `ListenAddress ${address}`,
    `HostKey ${hostKey}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'AllowTcpForwarding yes',
    `LogLevel ${options.logLevel ?? 'VERBOSE'}`,
    'MaxStartups 100',
    ...(options.config ?? []),
  ];
  await writeFile(join(dir, 'sshd_config'), `${config.join('\n')}\n`);

  const binds: string[] = ['mount -t tmpfs -o mode=755 tmpfs /run', 'mkdir -m 755 /run/sshd'];
  if (options.users?.length) {
    const home = join(dir, 'home');
    await mkdir(home, { mode: 0o755 });
    const users = options.users;
    const passwd = [
      'root:x:0:0:root:/root:/bin/bash',
      'sshd:x:103:65534::/run/sshd:/usr/sbin/nologin',
      'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
      ...users.map((user) => `${user.name}:x:${user.uid}:${user.uid}::${home}:/bin/sh`),
    ];
    const group = ['root:x:0:', 'nogroup:x:65534:', ...users.map((user) => `${user.name}:x:${user.uid}:`)];
    // `*`: no password can ever match, yet the account is not locked, so key logins work.
    const shadow = ['root:*:19000:0:99999:7:::', ...users.map((user) => `${user.name}:*:19000:0:99999:7:::`)];
    const sudoers = [
      'Defaults !lecture',
      'root ALL=(ALL:ALL) ALL',
      ...users.flatMap((user) => (user.sudoers ? [user.sudoers] : [])),
    ];
    const files = { passwd, group, shadow, sudoers };
    for (const [name, lines] of Object.entries(files)) {
      const path = join(dir, `etc-${name}`);
      await writeFile(path, `${lines.join('\n')}\n`);
      await chmod(path, name === 'sudoers' ? 0o440 : name === 'shadow' ? 0o640 : 0o644);
      binds.push(`mount --bind ${path} /etc/${name}`);
    }
  }
  const script = `set -e; ${binds.join('; ')}; exec /usr/sbin/sshd -D -e -f ${join(dir, 'sshd_config')}`;
  const command = ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', script];
  const argv = options.netns ? ['ip', 'netns', 'exec', options.netns, ...command] : command;
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    log += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!log.includes('Server listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
      throw new Error(`test sshd did not start: ${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const pid = child.pid!;

  const descendants = async (parent: number): Promise<number[]> => {
    const listed = await run('pgrep', ['-P', String(parent)]).catch(() => ({ stdout: '' }));
    const children = listed.stdout.split('\n').filter(Boolean).map(Number);
    const nested = await Promise.all(children.map(descendants));
    return [...children, ...nested.flat()];
  };

  return {
    dir,
    port,
    address,
    pid,
    hostKeyFingerprint,
    clientKeyPath,
    log: () => log,
    async killConnections() {
      const pids = await descendants(pid);
      for (const target of pids) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {}
      }
      return pids.length;
    },
    async stop() {
      const pids = await descendants(pid);
      child.kill('SIGKILL');
      for (const target of pids) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {}
      }
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh random suffix for netns and link names (other test runs share the machine). */
export function uniqueSuffix(): string {
  return randomBytes(3).toString('hex');
}
