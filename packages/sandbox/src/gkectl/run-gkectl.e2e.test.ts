import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runGkectlDiagnose } from '@etcd-dr/verify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../lab/start-sandbox.js';
import { installGkectl } from './install-gkectl.js';

// The lab's gkectl, run as an operator would (DIR/bin/gkectl on a real lab), read through the verify
// package's runner and parser: what the drill will see.

const run = promisify(execFile);
const userCategories = ['User Cluster Connectivity', 'User Cluster', 'User Cluster Etcd'];

let workDir: string;
beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'etcd-dr-gkectl-'));
});
afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

describe('gkectl diagnose cluster on a Kubeception lab', () => {
  it('says healthy on a fresh lab, unhealthy naming kube-etcd-0 once that member is broken', async () => {
    await using lab = await startSandbox({
      topology: 'kubeception',
      dir: join(workDir, 'lab'),
      attached: true,
    });
    const gkectlPath = join(lab.dir, 'bin', 'gkectl');
    const diagnose = (clusterName?: string) =>
      runGkectlDiagnose({
        kubeconfig: lab.adminKubeconfig,
        ...(clusterName ? { clusterName } : {}),
        gkectlPath,
        cwd: workDir,
        timeoutMs: 60_000,
      });

    const healthy = await diagnose('user-cluster-1');
    expect([healthy.verdict, healthy.exitCode]).toEqual(['healthy', 0]);
    expect(healthy.output.unparsed).toEqual([]);
    expect(healthy.output.categories.map((category) => category.name)).toEqual(userCategories);
    expect(
      healthy.output.categories.flatMap((category) => category.checks.map((check) => check.name)),
    ).toEqual([
      'Checking admin cluster API server (reachability)',
      'Checking user cluster API server (reachability)',
      'Checking control plane pods',
      'Checking nodes',
      'Checking kube-system pods',
      'Checking etcd members (health)',
      'Checking etcd members (agreement)',
    ]);
    expect(healthy.report?.status).toBe('read');
    expect(await readdir(workDir)).toContain(healthy.output.reportPath);

    const admin = await diagnose();
    expect([admin.verdict, admin.exitCode, admin.report]).toEqual(['healthy', 0, undefined]);
    expect(admin.output.categories.map((category) => category.name)).toEqual([
      'Admin Cluster Connectivity',
      'Admin Cluster',
    ]);

    await lab.breakMembers([0]);
    const broken = await diagnose('user-cluster-1');
    expect(broken.verdict).toBe('unhealthy');
    expect(broken.exitCode).not.toBe(0);
    expect(broken.output.unparsed).toEqual([]);
    const etcdHealth = broken.output.failedChecks.find(
      (check) => check.name === 'Checking etcd members (health)',
    );
    expect(etcdHealth?.reasons).toEqual(['1 of 1 etcd member(s) unhealthy: kube-etcd-0.']);
    expect(etcdHealth?.unhealthyResources[0]).toMatch(/^Pod \[user-cluster-1\/kube-etcd-0\]: /);
    const controlPlane = broken.output.failedChecks.find(
      (check) => check.name === 'Checking control plane pods',
    );
    expect(controlPlane?.reasons.join('\n')).toContain('kube-etcd-0');
    expect(broken.report?.status).toBe('read');
    const report =
      broken.report?.status === 'read' ? (broken.report.report.data as { healthy?: boolean }) : {};
    expect(report.healthy).toBe(false);
  });

  it('says unhealthy with the connection error, not a stack trace, when the admin API is dead', async () => {
    await using lab = await startSandbox({
      topology: 'kubeception',
      dir: join(workDir, 'lab'),
      attached: true,
    });
    const deadDir = join(workDir, 'dead');
    await run('mkdir', ['-p', deadDir]);
    const port = await closedPort();
    const kubeconfig = (await readFile(lab.adminKubeconfig, 'utf8')).replace(
      /server: https:\/\/127\.0\.0\.1:\d+/,
      `server: https://127.0.0.1:${port}`,
    );
    await writeFile(join(deadDir, 'admin.kubeconfig'), kubeconfig, { mode: 0o600 });
    await writeFile(
      join(deadDir, 'etcd-dr.yaml'),
      (await readFile(lab.config, 'utf8')).replace(
        'kubeconfig: user.kubeconfig',
        `kubeconfig: ${lab.userKubeconfig}`,
      ),
      { mode: 0o600 },
    );
    const gkectlPath = join(lab.dir, 'bin', 'gkectl');
    const lines: string[] = [];
    for (const clusterName of [undefined, 'user-cluster-1']) {
      const result = await runGkectlDiagnose({
        kubeconfig: join(deadDir, 'admin.kubeconfig'),
        ...(clusterName ? { clusterName } : {}),
        gkectlPath,
        cwd: workDir,
        timeoutMs: 60_000,
        onLine: (event) => lines.push(event.text),
      });
      expect(result.verdict).toBe('unhealthy');
      expect(result.exitCode).toBe(1);
      const reachability = result.output.failedChecks[0]!;
      expect(reachability.name).toMatch(/API server \(reachability\)$/);
      expect(reachability.reasons).toEqual([
        `GET /version on https://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`,
      ]);
    }
    expect(lines.filter((line) => /^\s+at /.test(line))).toEqual([]);
  });

  it('agrees across three members of an HA lab, and names the one broken member', async () => {
    await using lab = await startSandbox({
      topology: 'kubeception',
      ha: true,
      dir: join(workDir, 'lab'),
      attached: true,
    });
    const diagnose = () =>
      runGkectlDiagnose({
        kubeconfig: lab.adminKubeconfig,
        clusterName: 'user-cluster-1',
        gkectlPath: join(lab.dir, 'bin', 'gkectl'),
        cwd: workDir,
        timeoutMs: 60_000,
      });
    const healthy = await diagnose();
    expect([healthy.verdict, healthy.exitCode]).toEqual(['healthy', 0]);

    await lab.breakMembers([1]);
    const broken = await diagnose();
    expect(broken.verdict).toBe('unhealthy');
    const etcdHealth = broken.output.failedChecks.find(
      (check) => check.name === 'Checking etcd members (health)',
    );
    expect(etcdHealth?.reasons).toEqual(['1 of 3 etcd member(s) unhealthy: kube-etcd-1.']);
    // The two members left still form a quorum and agree with each other.
    expect(broken.output.failedChecks.map((check) => check.name)).not.toContain(
      'Checking etcd members (agreement)',
    );
  });
});

describe('gkectl command line', () => {
  it('fails unknown flags and commands with usage text and exit 1, before touching any cluster', async () => {
    const { path } = await installGkectl({ dir: workDir });
    const failed = async (...args: string[]) => {
      try {
        await run(path, args, { cwd: workDir });
      } catch (error) {
        return error as { code: number; stdout: string; stderr: string };
      }
      throw new Error(`gkectl ${args.join(' ')} succeeded`);
    };
    const unknownFlag = await failed('diagnose', 'cluster', '--kubeconfig', '/nonexistent', '--bogus');
    expect(unknownFlag.code).toBe(1);
    expect(unknownFlag.stderr.split('\n').slice(0, 3)).toEqual([
      'Error: unknown flag: --bogus',
      'Usage:',
      '  gkectl diagnose cluster [flags]',
    ]);
    expect(unknownFlag.stdout).toBe('');
    const unknownCommand = await failed('diagnose', 'snapshot');
    expect(unknownCommand.stderr).toContain('Error: unknown command "snapshot" for "gkectl diagnose"');
    const missing = await failed('diagnose', 'cluster');
    expect(missing.stderr).toMatch(/^Error: required flag\(s\) "kubeconfig" not set\n/);
    const noKubeconfig = await failed('diagnose', 'cluster', '--kubeconfig', join(workDir, 'absent'));
    expect(noKubeconfig.stdout).toBe(
      `Preparing for the diagnose tool...\nExit with error:\nkubeconfig ${join(workDir, 'absent')} cannot be read: ENOENT\n`,
    );
    expect((await readdir(workDir)).filter((name) => name.endsWith('.json'))).toEqual([]);
  });
});
