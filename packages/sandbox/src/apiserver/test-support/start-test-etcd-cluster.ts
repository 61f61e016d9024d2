import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { freePort, waitHealthy } from './start-test-etcd.js';

/** A real multi-member etcd cluster for one test (plain HTTP, random loopback ports). */
export interface TestEtcdCluster {
  clientUrls: string[];
  /** Stops one member (index into clientUrls). */
  stopMember(index: number): Promise<void>;
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

/** Starts `members` (default 3) Debian etcd processes forming one cluster under `directory` (tests only). */
export async function startTestEtcdCluster(options: {
  directory: string;
  members?: number;
}): Promise<TestEtcdCluster> {
  const count = options.members ?? 3;
  const ports = [];
  for (let index = 0; index < count; index++)
    ports.push({ client: await freePort(), peer: await freePort() });
  const names = ports.map((_port, index) => `member${index}`);
  const initialCluster = ports
    .map((port, index) => `${names[index]}=http://127.0.0.1:${port.peer}`)
    .join(',');
  const children: ChildProcess[] = [];
  const logs: string[] = ports.map(() => '');
  const clientUrls = ports.map((port) => `http://127.0.0.1:${port.client}`);
  const stop = async (): Promise<void> => {
    await Promise.all(children.map(stopChild));
  };
  try {
    for (const [index, port] of ports.entries()) {
      const dataDir = path.join(options.directory, names[index]!);
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      children.push(
        spawn(
          'etcd',
          [
            '--name',
            names[index]!,
            '--data-dir',
            dataDir,
            '--listen-client-urls',
            clientUrls[index]!,
            '--advertise-client-urls',
            clientUrls[index]!,
            '--listen-peer-urls',
            `http://127.0.0.1:${port.peer}`,
            '--initial-advertise-peer-urls',
            `http://127.0.0.1:${port.peer}`,
            '--initial-cluster',
            initialCluster,
            '--initial-cluster-token',
            `edr-test-${ports[0]!.peer}`,
            '--initial-cluster-state',
            'new',
          ],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        ),
      );
      children[index]!.stderr?.on('data', (chunk) => {
        logs[index] = (logs[index] + chunk).slice(-2000);
      });
    }
    await Promise.all(clientUrls.map((url, index) => waitHealthy(url, children[index]!, undefined)));
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${logs.join('\n---\n')}`);
  }
  return { clientUrls, stopMember: (index) => stopChild(children[index]!), stop };
}
