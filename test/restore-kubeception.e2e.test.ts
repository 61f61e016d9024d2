import { execFile, spawn } from 'node:child_process';
import { access, cp, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { backupCluster, type ClusterConfig, loadClusterConfig } from '@etcd-dr/sdk';
import { parseDiagnoseOutput } from '@etcd-dr/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliResult,
  cliPath,
  expectOneLineError,
  runCli,
} from '../packages/cli/src/test-support/run-cli.js';
import { runKubectl } from '../packages/sandbox/src/apiserver/test-support/run-kubectl.js';
import { waitFor } from '../packages/sandbox/src/apiserver/test-support/start-test-api-server.js';
import { type Sandbox, startSandbox } from '../packages/sandbox/src/lab/start-sandbox.js';

const execFileAsync = promisify(execFile);
const namespace = 'user-cluster-1';
const certificates =
  '--cacert=/etcd.local.config/certificates/etcdCA.crt --cert=/etcd.local.config/certificates/etcd.crt --key=/etcd.local.config/certificates/etcd.key';

/** The lab's pieces a restore test reads, with the real kubectl. */
function labTools(lab: Sandbox, cwd: string) {
  const admin = (args: string[]) => runKubectl({ kubeconfig: lab.adminKubeconfig, args, cwd });
  const user = (args: string[]) => runKubectl({ kubeconfig: lab.userKubeconfig, args, cwd });
  return {
    admin,
    user,
    async configMaps(): Promise<string[]> {
      return waitFor(
        async () => {
          const list = await user([
            'get',
            'configmaps',
            '--request-timeout=10s',
            '-o',
            'jsonpath={.items[*].metadata.name}',
          ]);
          return list.exitCode === 0 ? list.stdout.split(' ') : undefined;
        },
        60_000,
        'the user API to list configmaps',
      );
    },
    async replicas(): Promise<string> {
      const read = async (kind: string, name: string) =>
        (await admin(['get', kind, name, '-n', namespace, '-o', 'jsonpath={.spec.replicas}'])).stdout;
      return `etcd=${await read('statefulset', 'kube-etcd')} apiserver=${await read('statefulset', 'kube-apiserver')} maintenance=${await read('deployment', 'gke-master-etcd-maintenance')}`;
    },
    async pdbExists(): Promise<boolean> {
      return (await admin(['get', 'pdb', 'kube-apiserver-pdb', '-n', namespace])).exitCode === 0;
    },
    /** `endpoint status` of a member in its own pod, with its own certificates (real etcdctl). */
    async memberRevision(pod: string): Promise<number> {
      const status = await admin([
        'exec',
        '-n',
        namespace,
        pod,
        '-c',
        'kube-etcd',
        '--',
        '/bin/sh',
        '-ec',
        `ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 ${certificates} endpoint health >&2 && ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 ${certificates} endpoint status -w json`,
      ]);
      expect(status.exitCode, status.stderr).toBe(0);
      expect(status.stderr).toMatch(/is healthy/);
      return Number(/"revision":(\d+)/.exec(status.stdout)?.[1]);
    },
    async dataDirectory(member: string): Promise<string[]> {
      const listed = await admin([
        'exec',
        '-n',
        namespace,
        member,
        '-c',
        'kube-etcd',
        '--',
        'ls',
        '-a',
        '/var/lib/etcd',
      ]);
      expect(listed.exitCode).toBe(0);
      return listed.stdout.split('\n').filter((name) => name !== '' && name !== '.' && name !== '..');
    },
    async diagnose() {
      const result = await execFileAsync(
        join(lab.dir, 'bin', 'gkectl'),
        ['diagnose', 'cluster', '--kubeconfig', lab.adminKubeconfig, '--cluster-name', namespace],
        { cwd },
      ).catch((error: { stdout: string; stderr: string }) => error);
      return parseDiagnoseOutput(result.stdout);
    },
  };
}

async function createConfigMap(tools: ReturnType<typeof labTools>, name: string): Promise<void> {
  const created = await tools.user(['create', 'configmap', name, `--from-literal=${name}=1`]);
  expect(created.exitCode, created.stderr).toBe(0);
}

/** A failure after progress lines: exit 1, nothing on stdout, the last stderr line `etcd-dr: error CODE: ...`. */
function expectFinalError(result: CliResult, code: string): string {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stdout).toBe('');
  const last = result.stderr.trim().split('\n').at(-1)!;
  expect(last).toMatch(new RegExp(`^etcd-dr: error ${code}: .+$`));
  return last;
}

function expectRestored(result: CliResult): {
  revision: number;
  members: Array<{ name: string; healthy: boolean; revision: number }>;
} {
  expect(result.code, result.stderr).toBe(0);
  const parsed = JSON.parse(result.stdout) as {
    ok: boolean;
    outcome: string;
    revision: number;
    members: Array<{ name: string; healthy: boolean; revision: number }>;
    steps: Array<{ id: string; outcome: string }>;
  };
  expect(parsed).toMatchObject({ ok: true, outcome: 'succeeded' });
  return parsed;
}

describe('etcd-dr restore, Kubeception non-HA (real kubectl, etcdctl, age)', () => {
  let base: string;
  let lab: Sandbox;
  let config: ClusterConfig;
  let tools: ReturnType<typeof labTools>;
  let bundlePath: string;
  let identityFile: string;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-restore-'));
    lab = await startSandbox({ topology: 'kubeception', dir: join(base, 'lab'), attached: true });
    config = await loadClusterConfig({ path: lab.config });
    tools = labTools(lab, base);
    identityFile = join(base, 'identity.txt');
    await execFileAsync('age-keygen', ['-o', identityFile]);
    const recipient = /public key: (age1\S+)/.exec(await readFile(identityFile, 'utf8'))![1]!;
    await createConfigMap(tools, 'before');
    const backup = await backupCluster({
      config,
      outputDirectory: join(base, 'bundles'),
      recipients: [recipient],
    });
    bundlePath = backup.path;
    await createConfigMap(tools, 'after');
  });
  afterAll(async () => {
    await lab?.stop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('refuses a bundle with one flipped byte before changing anything', async () => {
    const damaged = join(base, 'damaged');
    await cp(bundlePath, damaged, { recursive: true });
    const file = await open(join(damaged, 'snapshot.db.age'), 'r+');
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, 4000);
    await file.write(Buffer.from([byte[0]! ^ 0x01]), 0, 1, 4000);
    await file.close();
    const before = await tools.replicas();
    const result = await runCli([
      'restore',
      '--config',
      lab.config,
      '--from',
      damaged,
      '--identity',
      identityFile,
      '--yes',
      '--work-dir',
      join(base, 'work-damaged'),
    ]);
    expectOneLineError(result, 'BUNDLE_FILE_MISMATCH');
    expect(result.stderr).toContain('snapshot.db.age');
    expect(await tools.replicas()).toBe(before);
    expect(await tools.pdbExists()).toBe(true);
    await expect(access(join(base, 'work-damaged', 'journal.json'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses an encrypted bundle without the identity, and prints the plan without changing anything', async () => {
    const noIdentity = await runCli(['restore', '--config', lab.config, '--from', bundlePath, '--plan']);
    expectOneLineError(noIdentity, 'RESTORE_DECRYPT_FAILED');

    const before = await tools.replicas();
    const plan = await runCli([
      'restore',
      '--config',
      lab.config,
      '--from',
      bundlePath,
      '--identity',
      identityFile,
      '--plan',
    ]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('Scale StatefulSet kube-etcd to 0');
    expect(plan.stdout).toContain('Restore member kube-etcd-0 into PVC data-kube-etcd-0');
    expect(plan.stdout).toMatch(/--initial-cluster kube-etcd-0=https:\/\/kube-etcd-0\.kube-etcd:2380/);
    expect(plan.stdout).toContain('departs from the runbook');
    expect(plan.stdout).toContain('Nothing was changed');
    expect(await tools.replicas()).toBe(before);
    expect(await tools.configMaps()).toContain('after');
  });

  it('restores a broken member: kubectl shows before and not after, the member is healthy at the snapshot revision, gkectl says healthy', async () => {
    await lab.breakMembers([0]);
    await waitFor(
      async () =>
        (await tools.admin(['get', 'pod', 'kube-etcd-0', '-n', namespace])).stdout.includes(
          'CrashLoopBackOff',
        ),
      60_000,
      'kube-etcd-0 to crash-loop',
    );
    const manifest = JSON.parse(await readFile(join(bundlePath, 'manifest.json'), 'utf8'));
    const workDirectory = join(base, 'work');
    const result = await runCli([
      'restore',
      '--config',
      lab.config,
      '--from',
      bundlePath,
      '--identity',
      identityFile,
      '--yes',
      '--work-dir',
      workDirectory,
      '--json',
    ]);
    const restored = expectRestored(result);
    expect(result.stderr).toContain('Restore member kube-etcd-0');
    expect(restored.revision).toBe(manifest.snapshot.revision);
    expect(restored.members).toEqual([{ name: 'kube-etcd-0', healthy: true, revision: expect.any(Number) }]);
    expect(restored.members[0]!.revision).toBeGreaterThanOrEqual(manifest.snapshot.revision);

    const names = await tools.configMaps();
    expect(names).toContain('before');
    expect(names).not.toContain('after');
    expect(await tools.memberRevision('kube-etcd-0')).toBeGreaterThanOrEqual(manifest.snapshot.revision);
    expect(await tools.replicas()).toBe('etcd=1 apiserver=1 maintenance=1');
    expect(await tools.pdbExists()).toBe(true);
    expect((await tools.dataDirectory('kube-etcd-0')).filter((name) => name !== 'member')).toEqual([]);
    const diagnosis = await tools.diagnose();
    expect(diagnosis.verdict, diagnosis.verdictReasons.join('; ')).toBe('healthy');

    const updated = JSON.parse(await readFile(join(bundlePath, 'manifest.json'), 'utf8'));
    expect(updated.restores).toEqual([
      expect.objectContaining({ targetCluster: namespace, outcome: 'succeeded' }),
    ]);
    const journal = JSON.parse(await readFile(join(workDirectory, 'journal.json'), 'utf8'));
    expect(journal.outcome).toBe('succeeded');
    // Debian's etcd 3.4 has no etcdutl: the restore fell back to etcdctl, and streamed the whole snapshot.
    expect(journal.steps['restore-member:kube-etcd-0'].outputs).toMatchObject({
      tool: 'etcdctl',
      snapshotBytes: expect.any(Number),
    });
    expect(journal.steps['restore-member:kube-etcd-0'].outputs.snapshotBytes).toBeGreaterThan(0);
    await expect(access(join(workDirectory, 'restore.lock'))).rejects.toThrow(/ENOENT/);
  });

  it('rolls back when a step fails (an image the registry does not have): scale-downs and the PDB are put back', async () => {
    await createConfigMap(tools, 'kept');
    // Beside the lab's config, so that its relative paths still resolve.
    const badConfig = join(dirname(lab.config), 'bad-image.etcd-dr.yaml');
    const text = await readFile(lab.config, 'utf8');
    const withImage = /etcdUtilImage:/.test(text)
      ? text.replace(/etcdUtilImage: .*/, 'etcdUtilImage: gcr.io/gke-on-prem-release/etcd-util-missing:0.0.0')
      : `${text.trimEnd()}\netcdUtilImage: gcr.io/gke-on-prem-release/etcd-util-missing:0.0.0\n`;
    await writeFile(badConfig, withImage);
    const result = await runCli([
      'restore',
      '--config',
      badConfig,
      '--from',
      bundlePath,
      '--identity',
      identityFile,
      '--yes',
      '--work-dir',
      join(base, 'work-rollback'),
    ]);
    const line = expectFinalError(result, 'RESTORE_STEP_FAILED');
    expect(line).toMatch(
      /restore-member:kube-etcd-0 failed .*ErrImagePull.*rolled back: .*scale-down:kube-etcd.*delete-pdb/,
    );
    expect(await tools.replicas()).toBe('etcd=1 apiserver=1 maintenance=1');
    expect(await tools.pdbExists()).toBe(true);
    expect((await tools.admin(['get', 'pod', 'etcd-utility-0', '-n', namespace])).exitCode).not.toBe(0);
    const names = await tools.configMaps();
    expect(names).toContain('kept');
    const updated = JSON.parse(await readFile(join(bundlePath, 'manifest.json'), 'utf8'));
    expect(updated.restores.at(-1)).toMatchObject({ outcome: 'rolled-back' });
  });
});

describe('etcd-dr restore, Kubeception HA: lock, SIGKILL and --resume', () => {
  let base: string;
  let lab: Sandbox;
  let tools: ReturnType<typeof labTools>;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-restore-ha-'));
    lab = await startSandbox({ topology: 'kubeception', ha: true, dir: join(base, 'lab'), attached: true });
    tools = labTools(lab, base);
  });
  afterAll(async () => {
    await lab?.stop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('restores two lost members of three, refusing a concurrent restore, and resumes after SIGKILL', async () => {
    const config = await loadClusterConfig({ path: lab.config });
    await createConfigMap(tools, 'before');
    const backup = await backupCluster({ config, outputDirectory: join(base, 'bundles') });
    await createConfigMap(tools, 'after');
    await lab.breakMembers([0, 1]);
    await waitFor(
      async () => (await tools.user(['get', 'configmaps', '--request-timeout=5s'])).exitCode !== 0,
      60_000,
      'the user API to fail without quorum',
    );

    const workDirectory = join(base, 'work');
    const args = [
      'restore',
      '--config',
      lab.config,
      '--from',
      backup.path,
      '--yes',
      '--work-dir',
      workDirectory,
    ];
    const first = new Promise<{ signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [cliPath, ...args], {
        env: { ...process.env, ETCD_DR_TEST_KILL_AFTER_STEP: 'restore-member:kube-etcd-1' },
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.once('error', reject);
      child.once('close', (_code, signal) => resolve({ signal, stderr }));
    });
    await waitFor(
      async () =>
        access(join(workDirectory, 'restore.lock')).then(
          () => true,
          () => undefined,
        ),
      60_000,
      'the first restore to take the lock',
    );
    const concurrent = await runCli(args);
    expectFinalError(concurrent, 'RESTORE_LOCKED');
    expect(concurrent.stderr).toMatch(/held by|holds .*: pid \d+ on \S+ since \S+/);

    const killed = await first;
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(killed.stderr).toContain('Scale StatefulSet kube-etcd to 0: done');
    const journal = JSON.parse(await readFile(join(workDirectory, 'journal.json'), 'utf8'));
    expect(journal.outcome).toBe('running');
    expect(journal.steps['restore-member:kube-etcd-1'].status).toBe('succeeded');

    const stale = await runCli(args);
    expectFinalError(stale, 'RESTORE_LOCK_STALE');
    expect(stale.stderr).toMatch(/no longer running.*--resume/);

    const resumed = await runCli([...args, '--resume', '--json']);
    const restored = expectRestored(resumed);
    expect(resumed.stderr).toMatch(/Scale StatefulSet kube-etcd to 0: already done \(resumed\)/);
    expect(restored.members.map((member) => member.name)).toEqual([
      'kube-etcd-0',
      'kube-etcd-1',
      'kube-etcd-2',
    ]);
    for (const member of restored.members) {
      expect(member.healthy).toBe(true);
      expect(member.revision).toBeGreaterThanOrEqual(backup.manifest.snapshot.revision);
    }

    const names = await tools.configMaps();
    expect(names).toContain('before');
    expect(names).not.toContain('after');
    for (const member of ['kube-etcd-0', 'kube-etcd-1', 'kube-etcd-2']) {
      expect(await tools.memberRevision(member)).toBeGreaterThanOrEqual(backup.manifest.snapshot.revision);
      expect((await tools.dataDirectory(member)).filter((name) => name !== 'member')).toEqual([]);
    }
    expect(await tools.replicas()).toBe('etcd=3 apiserver=3 maintenance=1');
    expect(await tools.pdbExists()).toBe(true);
    const diagnosis = await tools.diagnose();
    expect(diagnosis.verdict, diagnosis.verdictReasons.join('; ')).toBe('healthy');
  });
});
