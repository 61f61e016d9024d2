import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run, startTestEtcd } from '../../test-support/start-etcd.js';

// Why the plan may write --initial-cluster-state=new where the HA runbook says existing: members restored
// with etcdctl snapshot restore start from the WAL it wrote, and etcd ignores the flag (and the token) then.
// Real etcd (Debian's), three members on loopback.
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

const runEtcdctl = (args: string[]) =>
  new Promise<string>((resolve) => {
    execFile('etcdctl', args, { env: { ...process.env, ETCDCTL_API: '3' } }, (_error, stdout, stderr) =>
      resolve(`${stdout}${stderr}`),
    );
  });

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

describe('a restored etcd cluster and --initial-cluster-state', () => {
  it.each(['new', 'existing'] as const)(
    'forms one healthy cluster with the snapshot data when started with %s',
    async (state) => {
      const source = await startTestEtcd();
      cleanups.push(() => source.stop());
      await source.etcdctl(['put', 'probe', 'from-the-snapshot']);
      const directory = await mkdtemp(join(tmpdir(), 'edr-cpv2-cluster-state-'));
      cleanups.push(() => rm(directory, { recursive: true, force: true }));
      const snapshot = join(directory, 'snapshot.db');
      await source.etcdctl(['snapshot', 'save', snapshot]);

      const members = await Promise.all(
        ['m1', 'm2', 'm3'].map(async (name) => ({ name, client: await freePort(), peer: await freePort() })),
      );
      const initialCluster = members
        .map((member) => `${member.name}=http://127.0.0.1:${member.peer}`)
        .join(',');
      for (const member of members) {
        await run('etcdctl', [
          'snapshot',
          'restore',
          snapshot,
          `--data-dir=${join(directory, member.name)}`,
          `--name=${member.name}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${member.peer}`,
          `--initial-cluster=${initialCluster}`,
          '--initial-cluster-token=etcd-cluster',
        ]);
      }
      for (const member of members) {
        const child = spawn(
          'etcd',
          [
            `--name=${member.name}`,
            `--data-dir=${join(directory, member.name)}`,
            `--listen-client-urls=http://127.0.0.1:${member.client}`,
            `--advertise-client-urls=http://127.0.0.1:${member.client}`,
            `--listen-peer-urls=http://127.0.0.1:${member.peer}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${member.peer}`,
            `--initial-cluster=${initialCluster}`,
            `--initial-cluster-state=${state}`,
            // Another token than the restore's: ignored as well, the cluster ID comes from the restored WAL.
            '--initial-cluster-token=not-the-restore-token',
          ],
          { stdio: 'ignore' },
        );
        cleanups.push(() => stopProcess(child));
      }
      const endpoints = members.map((member) => `http://127.0.0.1:${member.client}`).join(',');
      let health = '';
      for (let attempt = 0; attempt < 40 && (health.match(/is healthy/g) ?? []).length < 3; attempt++) {
        // etcdctl 3.4 prints the health lines on stderr.
        health = await runEtcdctl([`--endpoints=${endpoints}`, 'endpoint', 'health']);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(health.match(/is healthy/g)).toHaveLength(3);
      const status = await run('etcdctl', [`--endpoints=${endpoints}`, 'endpoint', 'status', '-w', 'json']);
      expect(new Set(status.match(/"cluster_id":\d+/g)).size).toBe(1);
      expect(
        await run('etcdctl', [
          `--endpoints=http://127.0.0.1:${members[2]!.client}`,
          'get',
          'probe',
          '--print-value-only',
        ]),
      ).toBe('from-the-snapshot\n');
    },
  );
});
