import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway single-member etcd for tests (not part of the SDK's public API). */
export interface TestEtcd {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  /** The temp folder holding the data dir (`DIR/data`) and the etcd log (`DIR/etcd.log`). */
  dir: string;
  dataDir: string;
  /** Runs `etcdctl --endpoints ENDPOINT ...args` and returns stdout; rejects with stderr on failure. */
  etcdctl(args: readonly string[], options?: { input?: string }): Promise<string>;
  /** Stops etcd (SIGTERM, then SIGKILL after 5 s) and removes the temp folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startTestEtcd}. */
export interface StartTestEtcdOptions {
  /** Extra etcd flags, e.g. `['--quota-backend-bytes', '8589934592']`. */
  extraArgs?: readonly string[];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Runs a command and resolves with its stdout, or rejects naming the command and its stderr. */
export function run(
  command: string,
  args: readonly string[],
  options: { input?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ETCDCTL_API: '3' },
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const out = Buffer.concat(stdout).toString();
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} exited ${code}: ${Buffer.concat(stderr).toString().trim()}`,
          ),
        );
    });
    child.stdin.end(options.input ?? '');
  });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function waitForHealth(endpoint: string, child: ChildProcess): Promise<boolean> {
  for (let attempt = 0; attempt < 150; attempt++) {
    if (child.exitCode !== null) return false;
    try {
      const response = await fetch(`${endpoint}/health`);
      if (response.ok && ((await response.json()) as { health?: string }).health === 'true') return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/**
 * Starts Debian's `etcd` on 127.0.0.1 with random free ports and a fresh temp data dir, and waits until
 * it is healthy. Retries with new ports when another process took a port first.
 */
export async function startTestEtcd(options: StartTestEtcdOptions = {}): Promise<TestEtcd> {
  const dir = await mkdtemp(join(tmpdir(), 'etcd-dr-test-etcd-'));
  const dataDir = join(dir, 'data');
  for (let attempt = 1; attempt <= 3; attempt++) {
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const endpoint = `http://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const name = `test-${clientPort}`;
    const log = openSync(join(dir, 'etcd.log'), 'a');
    const child = spawn(
      'etcd',
      [
        '--name',
        name,
        '--data-dir',
        dataDir,
        '--listen-client-urls',
        endpoint,
        '--advertise-client-urls',
        endpoint,
        '--listen-peer-urls',
        peerUrl,
        '--initial-advertise-peer-urls',
        peerUrl,
        '--initial-cluster',
        `${name}=${peerUrl}`,
        '--initial-cluster-state',
        'new',
        ...(options.extraArgs ?? []),
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const stop = async () => {
      process.off('exit', killOnExit);
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 5000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5000);
      }
      await rm(dir, { recursive: true, force: true });
    };
    if (await waitForHealth(endpoint, child)) {
      return {
        endpoint,
        dir,
        dataDir,
        etcdctl: (args, runOptions) => run('etcdctl', ['--endpoints', endpoint, ...args], runOptions),
        stop,
      };
    }
    process.off('exit', killOnExit);
    child.kill('SIGKILL');
    await waitForExit(child, 5000);
    await rm(dataDir, { recursive: true, force: true });
    if (attempt === 3) {
      const tail = (await readFile(join(dir, 'etcd.log'), 'utf8').catch(() => ''))
        .split('\n')
        .slice(-5)
        .join('\n');
      await rm(dir, { recursive: true, force: true });
      throw new Error(`etcd did not become healthy on ${endpoint}; last log lines:\n${tail}`);
    }
  }
  throw new Error('unreachable');
}
