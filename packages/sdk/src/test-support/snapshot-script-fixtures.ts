import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  type EtcdClientCertificates,
  type EtcdPodSnapshotPlan,
  planEtcdPodSnapshot,
} from '../backup/plan-etcd-pod-snapshot.js';
import type { KubeConnection } from '../transport/kube/connect-kube.js';
import { KubeError } from '../transport/kube/kube-error.js';
import { startTestEtcd, type TestEtcd } from './start-etcd.js';

const execFileAsync = promisify(execFile);

/**
 * A self-signed certificate and key in `directory` (not part of the SDK's public API): etcdctl loads the
 * plan's certificates even for a plain-http endpoint, as it loads the pod's.
 */
export async function createTestCertificates(directory: string): Promise<EtcdClientCertificates> {
  const certificates = {
    ca: join(directory, 'ca.crt'),
    cert: join(directory, 'ca.crt'),
    key: join(directory, 'ca.key'),
  };
  await execFileAsync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    certificates.key,
    '-out',
    certificates.cert,
    '-days',
    '1',
    '-subj',
    '/CN=etcd-dr-test',
  ]);
  return certificates;
}

/** Puts `keys` values of 128 KiB under `/data/` (a snapshot of about keys × 128 KiB). */
export async function fillTestEtcd(etcd: TestEtcd, options: { keys: number }): Promise<void> {
  const value = 'x'.repeat(128 * 1024);
  for (let first = 0; first < options.keys; first += 8) {
    const batch = Array.from({ length: Math.min(8, options.keys - first) }, (_, index) => first + index);
    await Promise.all(batch.map((index) => etcd.etcdctl(['put', `/data/${index}`], { input: value })));
  }
}

/** What {@link useSnapshotScriptEtcd} gives the tests of one describe block. */
export interface SnapshotScriptEtcd {
  /** A real etcd holding 40 values of 128 KiB (a snapshot of about 5 MiB). */
  readonly etcd: TestEtcd;
  /** The block's temporary folder: the certificates and every pod folder of {@link SnapshotScriptEtcd.planIn}. */
  readonly base: string;
  /** Calls `close` after the current test (gates, silent servers). */
  closeAfterTest(close: () => void): void;
  /**
   * Plans a snapshot into a fresh folder under `base` standing in for the pod's /tmp. Default endpoint: the
   * block's etcd; `key` replaces the certificates' key (a missing one makes etcdctl fail).
   */
  planIn(options?: {
    endpoint?: string;
    key?: string;
  }): Promise<{ plan: EtcdPodSnapshotPlan; directory: string }>;
}

/**
 * Registers, in the calling describe block, the setup the snapshot script tests share: before all, a temp
 * folder named `prefix`…, test certificates and a filled etcd; after each test, what `closeAfterTest` was
 * given; after all, etcd stopped and the folder removed. Plans name their temporary file `temporaryFileName`.
 * `etcd` and `base` are getters that throw until beforeAll ran: keep the returned object and destructure only
 * the functions.
 */
export function useSnapshotScriptEtcd(options: {
  prefix: string;
  temporaryFileName: string;
}): SnapshotScriptEtcd {
  let etcd: TestEtcd | undefined;
  let base: string | undefined;
  let certificates: EtcdClientCertificates | undefined;
  const closers: Array<() => void> = [];
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), options.prefix));
    certificates = await createTestCertificates(base);
    etcd = await startTestEtcd();
    await fillTestEtcd(etcd, { keys: 40 });
  }, 60_000);
  afterAll(async () => {
    await etcd?.stop();
    if (base) await rm(base, { recursive: true, force: true });
  });
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is used before the describe block's beforeAll ran`);
    return value;
  };
  return {
    get etcd() {
      return ready(etcd, 'etcd');
    },
    get base() {
      return ready(base, 'base');
    },
    closeAfterTest(close) {
      closers.push(close);
    },
    async planIn(planOptions = {}) {
      const directory = await mkdtemp(join(ready(base, 'base'), 'pod-tmp-'));
      const plan = planEtcdPodSnapshot({
        namespace: 'ns',
        pod: 'etcd-0',
        container: 'etcd',
        certificates: {
          ...ready(certificates, 'certificates'),
          ...(planOptions.key ? { key: planOptions.key } : {}),
        },
        temporaryFile: join(directory, options.temporaryFileName),
        endpoint: planOptions.endpoint ?? ready(etcd, 'etcd').endpoint,
      });
      return { plan, directory };
    },
  };
}

/** A proxy from {@link startEtcdGate}. */
export interface EtcdGate {
  server: Server;
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  /** Lets the held answers through, and everything after. */
  release(): void;
  close(): void;
}

/**
 * A TCP proxy to etcd that passes `passBytes` of its answers on each connection, then holds the rest until
 * `release()`: an `etcdctl snapshot save` through it stops mid-write.
 */
export async function startEtcdGate(options: { target: string; passBytes: number }): Promise<EtcdGate> {
  const target = new URL(options.target);
  let released = false;
  const held: Array<() => void> = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    let passed = 0;
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (released || passed < options.passBytes) {
        passed += chunk.length;
        client.write(chunk);
        return;
      }
      upstream.pause();
      held.push(() => {
        client.write(chunk);
        upstream.resume();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    release() {
      released = true;
      for (const resume of held.splice(0)) resume();
    },
    close() {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

/**
 * A KubeConnection whose `exec` runs the command on this machine, as if the pod were here (only `exec`
 * works). With `cutAfterBytes`, the first `cuts` streams are killed after that many stdout bytes and fail with
 * KUBE_EXEC_CONNECTION_LOST, like a dropped WebSocket.
 */
export function localExecConnection(options: { cutAfterBytes?: number; cuts?: number } = {}): {
  kube: KubeConnection;
  commands: string[][];
} {
  const commands: string[][] = [];
  let cuts = 0;
  const exec: KubeConnection['exec'] = (execOptions) =>
    new Promise((resolve, reject) => {
      commands.push(execOptions.command);
      const child = spawn(execOptions.command[0]!, execOptions.command.slice(1), {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const captured: Buffer[] = [];
      let stdoutBytes = 0;
      let stderr = '';
      let cut = false;
      const cutNow = options.cutAfterBytes !== undefined && cuts < (options.cuts ?? 0);
      if (cutNow) cuts++;
      child.stdout.on('data', (chunk: Buffer) => {
        if (cut) return;
        if (cutNow && stdoutBytes + chunk.length > options.cutAfterBytes!) {
          cut = true;
          const part = chunk.subarray(0, options.cutAfterBytes! - stdoutBytes);
          stdoutBytes += part.length;
          if (execOptions.stdout) execOptions.stdout.write(part);
          child.kill('SIGKILL');
          return;
        }
        stdoutBytes += chunk.length;
        if (!execOptions.stdout) {
          captured.push(chunk);
          return;
        }
        if (!execOptions.stdout.write(chunk)) {
          child.stdout.pause();
          execOptions.stdout.once('drain', () => child.stdout.resume());
        }
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      child.once('error', reject);
      child.once('close', (code) => {
        if (cut) {
          reject(
            new KubeError({
              code: 'KUBE_EXEC_CONNECTION_LOST',
              message: `local exec cut after ${stdoutBytes} bytes`,
              remedy: 'none: a test cut it',
              isRetryable: true,
            }),
          );
          return;
        }
        resolve({ exitCode: code ?? -1, stdout: Buffer.concat(captured), stderr, stdoutBytes });
      });
    });
  return { kube: { exec } as KubeConnection, commands };
}
