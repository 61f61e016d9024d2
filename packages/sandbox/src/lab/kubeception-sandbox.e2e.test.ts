import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utilityPodYaml } from '../apiserver/test-support/kubeception-fixture.js';
import { runKubectl } from '../apiserver/test-support/run-kubectl.js';
import { waitFor } from '../apiserver/test-support/start-test-api-server.js';
import { runCommand } from '../runtime/run-command.js';
import { SandboxError } from '../runtime/sandbox-error.js';
import { gkeOnPremVersion } from './lab-versions.js';
import { isProcessAlive } from './sandbox-status.js';
import { type Sandbox, startSandbox } from './start-sandbox.js';
import { stopSandbox } from './stop-sandbox.js';

const namespace = 'user-cluster-1';
const certificates =
  '--cacert=/etcd.local.config/certificates/etcdCA.crt --cert=/etcd.local.config/certificates/etcd.crt --key=/etcd.local.config/certificates/etcd.key';

async function labObjects(prefix: string) {
  const [netns, links, processes] = await Promise.all([
    runCommand({ command: 'ip', args: ['netns', 'list'] }),
    runCommand({ command: 'ip', args: ['-o', 'link'] }),
    runCommand({ command: 'pgrep', args: ['-af', prefix], allowFailure: true }),
  ]);
  return {
    netns: netns.stdout.split('\n').filter((line) => line.startsWith(prefix)),
    links: links.stdout.split('\n').filter((line) => line.includes(prefix)),
    processes: processes.stdout.trim(),
  };
}

async function labPrefix(dir: string): Promise<string> {
  return (JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as { prefix: string }).prefix;
}

describe('Kubeception lab (non-HA): the runbook with the real kubectl', () => {
  let base: string;
  let lab: Sandbox;
  const admin = (args: string[], stdin?: string) =>
    runKubectl({
      kubeconfig: lab.adminKubeconfig,
      args,
      ...(stdin !== undefined ? { stdin } : {}),
      cwd: base,
    });
  const user = (args: string[]) => runKubectl({ kubeconfig: lab.userKubeconfig, args, cwd: base });

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-kubeception-'));
    lab = await startSandbox({ topology: 'kubeception', dir: join(base, 'lab'), attached: true });
  });
  afterAll(async () => {
    await lab?.stop();
    await rm(base, { recursive: true, force: true });
  });

  it('refuses a second lab in the same folder, naming it', async () => {
    const error = await startSandbox({ topology: 'kubeception', dir: lab.dir, attached: true }).catch(
      (caught: unknown) => caught,
    );
    expect(SandboxError.isInstance(error)).toBe(true);
    expect((error as SandboxError).code).toBe('SANDBOX_LAB_EXISTS');
    expect((error as SandboxError).message).toContain(lab.dir);
  });

  it('answers the topology query and shows the control plane the runbook names', async () => {
    const topology = await user([
      'get',
      'onpremuserclusters',
      '-n',
      'kube-system',
      '-o',
      'jsonpath={.items[0].spec.enableControlplaneV2}',
    ]);
    expect(topology).toMatchObject({ exitCode: 0, stdout: 'false' });
    const pods = await admin(['get', 'pods', '-n', namespace, '-o', 'wide']);
    expect(pods.stdout).toMatch(/kube-etcd-0\s+1\/1\s+Running/);
    expect(pods.stdout).toMatch(/kube-apiserver-0\s+1\/1\s+Running/);
    expect(pods.stdout).toMatch(/gke-master-etcd-maintenance-\S+\s+1\/1\s+Running/);
    const adminEtcd = await admin([
      'get',
      'pods',
      '-n',
      'kube-system',
      '-l',
      'component=etcd,tier=control-plane',
      '-o',
      'jsonpath={.items[*].metadata.name}',
    ]);
    expect(adminEtcd.stdout).toBe('etcd-admin-cp');
    const secrets = await admin(['get', 'secrets', '-n', namespace, '-o', 'name']);
    expect(secrets.stdout).toMatch(/^secret\/kube-etcd-certs-[0-9a-f]{6}$/m);
  });

  it('keeps the user cluster objects in the user etcd, under the real keys', async () => {
    expect((await user(['create', 'configmap', 'probe', '--from-literal=a=1'])).exitCode).toBe(0);
    const keys = await admin([
      'exec',
      '-n',
      namespace,
      'kube-etcd-0',
      '-c',
      'kube-etcd',
      '--',
      '/bin/sh',
      '-ec',
      `ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 ${certificates} get --prefix --keys-only /registry/configmaps/`,
    ]);
    expect(keys.exitCode).toBe(0);
    expect(keys.stdout).toContain('/registry/configmaps/default/probe');
  });

  it('scales, restarts and re-creates the admin-cluster objects the HA procedure touches', async () => {
    const pdb = await admin(['get', 'pdb', 'kube-apiserver-pdb', '-n', namespace, '-o', 'yaml']);
    expect(pdb.exitCode).toBe(0);
    await writeFile(join(base, 'pdb.yaml'), pdb.stdout);
    expect((await admin(['delete', 'pdb', 'kube-apiserver-pdb', '-n', namespace])).exitCode).toBe(0);

    expect(
      (await admin(['scale', '--replicas', '0', 'statefulset', 'kube-apiserver', '-n', namespace])).exitCode,
    ).toBe(0);
    await waitFor(
      async () => (await user(['get', 'configmaps'])).stderr.includes('refused'),
      20_000,
      'the user API to go down',
    );
    expect(
      (await admin(['scale', '--replicas', '1', 'statefulset', 'kube-apiserver', '-n', namespace])).exitCode,
    ).toBe(0);
    await waitFor(
      async () => (await user(['get', 'configmaps'])).exitCode === 0,
      20_000,
      'the user API to come back',
    );

    const maintenance = ['deployment', 'gke-master-etcd-maintenance', '-n', namespace];
    expect((await admin(['scale', '--replicas', '0', ...maintenance])).exitCode).toBe(0);
    expect((await admin(['scale', '--replicas', '1', ...maintenance])).exitCode).toBe(0);

    const before = (
      await admin(['get', 'pod', 'kube-etcd-0', '-n', namespace, '-o', 'jsonpath={.metadata.uid}'])
    ).stdout;
    expect((await admin(['rollout', 'restart', 'statefulset', 'kube-etcd', '-n', namespace])).exitCode).toBe(
      0,
    );
    await waitFor(
      async () => {
        const pod = await admin([
          'get',
          'pod',
          'kube-etcd-0',
          '-n',
          namespace,
          '-o',
          'jsonpath={.metadata.uid} {.status.containerStatuses[0].ready}',
        ]);
        return pod.stdout !== `${before} true` && pod.stdout.endsWith(' true');
      },
      30_000,
      'kube-etcd-0 to be re-created by the rollout restart',
    );

    // The restarted member serves again once the user API's requests go through.
    await waitFor(
      async () => (await user(['get', 'configmaps'])).exitCode === 0,
      30_000,
      'the user API after the restart',
    );

    expect((await admin(['apply', '-f', join(base, 'pdb.yaml')])).exitCode).toBe(0);
    expect((await admin(['get', 'pdb', 'kube-apiserver-pdb', '-n', namespace])).exitCode).toBe(0);
  });

  it('brings the cluster back with the runbook non-HA restore, step by step with kubectl', async () => {
    const created = await user(['create', 'configmap', 'before', '--from-literal=a=1']);
    expect(created.stderr).toBe('');
    expect(created.exitCode).toBe(0);
    const save = await admin([
      'exec',
      '-n',
      namespace,
      'kube-etcd-0',
      '-c',
      'kube-etcd',
      '--',
      '/bin/sh',
      '-ec',
      `ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 ${certificates} snapshot save /tmp/snapshot.db`,
    ]);
    expect(save.exitCode).toBe(0);
    expect(
      (await admin(['cp', `${namespace}/kube-etcd-0:/tmp/snapshot.db`, 'snapshot.db', '-c', 'kube-etcd']))
        .exitCode,
    ).toBe(0);
    expect((await user(['create', 'configmap', 'after', '--from-literal=b=2'])).exitCode).toBe(0);

    await lab.breakMembers([0]);
    await waitFor(
      async () =>
        (await admin(['get', 'pod', 'kube-etcd-0', '-n', namespace])).stdout.includes('CrashLoopBackOff'),
      30_000,
      'kube-etcd-0 to crash-loop',
    );
    const down = await user(['get', 'configmaps', '--request-timeout=15s']);
    expect(down.exitCode).not.toBe(0);

    const secret = (await admin(['get', 'secrets', '-n', namespace, '-o', 'name'])).stdout
      .trim()
      .split('/')[1]!;
    const node = (
      await admin(['get', 'pod', 'kube-etcd-0', '-n', namespace, '-o', 'jsonpath={.spec.nodeName}'])
    ).stdout;
    const manifest = utilityPodYaml({
      cluster: namespace,
      member: 0,
      node,
      version: gkeOnPremVersion,
      secret,
    });
    expect((await admin(['create', '-f', '-'], manifest)).exitCode).toBe(0);
    await waitFor(
      async () =>
        (
          await admin([
            'get',
            'pod',
            'etcd-utility-0',
            '-n',
            namespace,
            '-o',
            'jsonpath={.status.containerStatuses[0].ready}',
          ])
        ).stdout === 'true',
      30_000,
      'the utility pod to run',
    );
    expect(
      (await admin(['cp', 'snapshot.db', `${namespace}/etcd-utility-0:snapshot.db`, '-c', 'etcd-utility']))
        .exitCode,
    ).toBe(0);
    const restore = await admin([
      'exec',
      '-n',
      namespace,
      'etcd-utility-0',
      '-c',
      'etcd-utility',
      '--',
      '/bin/sh',
      '-ec',
      `cd / && ETCDCTL_API=3 etcdctl ${certificates} snapshot restore snapshot.db && rm -r var/lib/etcd/* && cp -r default.etcd/* var/lib/etcd/`,
    ]);
    expect(restore.exitCode).toBe(0);
    expect((await admin(['delete', 'pod', 'kube-etcd-0', '-n', namespace])).exitCode).toBe(0);
    expect((await admin(['delete', 'pod', 'etcd-utility-0', '-n', namespace])).exitCode).toBe(0);

    const names = await waitFor(
      async () => {
        const list = await user(['get', 'configmaps', '-o', 'jsonpath={.items[*].metadata.name}']);
        return list.exitCode === 0 ? list.stdout.split(' ') : undefined;
      },
      60_000,
      'the user API to answer after the restore',
    );
    expect(names).toContain('before');
    expect(names).not.toContain('after');
    const restarts = await admin([
      'get',
      'pod',
      'kube-etcd-0',
      '-n',
      namespace,
      '-o',
      'jsonpath={.status.containerStatuses[0].restartCount}',
    ]);
    expect(restarts.stdout).toBe('0');
  });
});

describe('Kubeception lab (HA): quorum and cleanup', () => {
  it('loses the user API without quorum, and leaves nothing behind after a supervisor crash', async () => {
    const base = await mkdtemp(join(tmpdir(), 'etcd-dr-kubeception-ha-'));
    const dir = join(base, 'lab');
    try {
      const lab = await startSandbox({ topology: 'kubeception', ha: true, dir, attached: true });
      const prefix = await labPrefix(dir);
      const user = (args: string[]) => runKubectl({ kubeconfig: lab.userKubeconfig, args });
      const admin = (args: string[]) => runKubectl({ kubeconfig: lab.adminKubeconfig, args });
      const ready = await admin([
        'get',
        'statefulset',
        'kube-etcd',
        '-n',
        namespace,
        '-o',
        'jsonpath={.status.readyReplicas}',
      ]);
      expect(ready.stdout).toBe('3');
      expect((await user(['create', 'configmap', 'quorum', '--from-literal=a=1'])).exitCode).toBe(0);

      await lab.breakMembers([0, 1]);
      const failed = await waitFor(
        async () => {
          const result = await user(['get', 'configmaps', '--request-timeout=10s']);
          return result.exitCode !== 0 ? result : undefined;
        },
        60_000,
        'the user API to fail without quorum',
      );
      expect(failed.stderr).toMatch(/etcdserver|timed out|Timeout/i);

      const status = JSON.parse(await readFile(join(dir, 'status.json'), 'utf8')) as { pid: number };
      process.kill(status.pid, 'SIGKILL');
      // A crash, not a stop: wait until the kernel has ended it (a SIGKILL is not instantaneous).
      await waitFor(async () => !isProcessAlive(status.pid), 10_000, 'the supervisor to die');
      expect((await labObjects(prefix)).netns.length).toBeGreaterThan(0);

      const stopped = await stopSandbox({ dir });
      expect(stopped).toMatchObject({ found: true, supervisorWasRunning: false });
      expect(await labObjects(prefix)).toEqual({ netns: [], links: [], processes: '' });
      await expect(readFile(join(dir, 'status.json'))).rejects.toThrow(/ENOENT/);
    } finally {
      await stopSandbox({ dir });
      await rm(base, { recursive: true, force: true });
    }
  });
});
