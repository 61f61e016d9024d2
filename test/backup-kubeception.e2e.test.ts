import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import {
  type BackupProgressEvent,
  backupCluster,
  type ClusterConfig,
  EtcdDrError,
  inspectSnapshot,
  loadClusterConfig,
  verifyBundle,
} from '@etcd-dr/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../packages/cli/src/test-support/run-cli.js';
import { runKubectl } from '../packages/sandbox/src/apiserver/test-support/run-kubectl.js';
import { waitFor } from '../packages/sandbox/src/apiserver/test-support/start-test-api-server.js';
import { type Sandbox, startSandbox } from '../packages/sandbox/src/lab/start-sandbox.js';
import { startCuttingProxy } from './cutting-proxy.js';
import { configMapsIn, etcdctlStatus } from './snapshot-facts.js';

const execFileAsync = promisify(execFile);
const namespace = 'user-cluster-1';

async function tempFilesInPod(lab: Sandbox, pod: string): Promise<string> {
  const listed = await runKubectl({
    kubeconfig: lab.adminKubeconfig,
    args: ['exec', '-n', namespace, pod, '-c', 'kube-etcd', '--', '/bin/sh', '-c', 'ls /tmp'],
  });
  expect(listed.exitCode).toBe(0);
  return listed.stdout
    .split('\n')
    .filter((name) => name.startsWith('etcd-dr-'))
    .join(' ');
}

describe('backup of a Kubeception user cluster (non-HA lab, real kubectl and etcdctl)', () => {
  let base: string;
  let lab: Sandbox;
  let config: ClusterConfig;
  const user = (args: string[], stdin?: string) =>
    runKubectl({ kubeconfig: lab.userKubeconfig, args, ...(stdin === undefined ? {} : { stdin }) });

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-backup-'));
    lab = await startSandbox({ topology: 'kubeception', dir: join(base, 'lab'), attached: true });
    config = await loadClusterConfig({ path: lab.config });
    for (const name of ['backup-probe-1', 'backup-probe-2']) {
      expect((await user(['create', 'configmap', name, '--from-literal=a=1'])).exitCode).toBe(0);
    }
    // Enough data that the snapshot is several MiB, so that a transfer can be cut in the middle.
    await writeFile(join(base, 'filler.txt'), 'x'.repeat(900 * 1024));
    for (let index = 0; index < 4; index++) {
      const created = await user([
        'create',
        'configmap',
        `filler-${index}`,
        `--from-file=data=${join(base, 'filler.txt')}`,
      ]);
      expect(created.exitCode).toBe(0);
    }
  });
  afterAll(async () => {
    await lab?.stop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('writes a bundle whose snapshot holds the configmaps created before, and cleans the pod', async () => {
    const out = join(base, 'plain');
    const events: BackupProgressEvent[] = [];
    const result = await backupCluster({
      config,
      outputDirectory: out,
      onProgress: (event) => events.push(event),
    });

    expect(result.pod).toBe('kube-etcd-0');
    expect(result.manifest.cluster).toMatchObject({
      name: namespace,
      topology: 'kubeception',
      ha: false,
      members: [{ name: 'kube-etcd-0', peerUrl: 'https://kube-etcd-0.kube-etcd:2380' }],
    });
    expect(result.manifest.cluster.members[0]?.node).toMatch(/\S/);
    expect(result.manifest.etcd.version).toMatch(/^3\.\d+\.\d+/);
    expect(await readdir(out)).toEqual([result.path.split('/').at(-1)]);

    const verification = await verifyBundle({ path: result.path });
    expect(verification.ok).toBe(true);

    const snapshotPath = join(result.path, 'snapshot.db');
    const inspection = await inspectSnapshot({ path: snapshotPath, requireHash: true });
    expect(inspection.integrity.verdict).toBe('ok');
    expect(configMapsIn(inspection).default).toBeGreaterThanOrEqual(6);
    const status = await etcdctlStatus(snapshotPath);
    expect(result.manifest.snapshot).toEqual({
      revision: status.revision,
      totalKeys: status.totalKey,
      hash: 'hashed',
    });
    const { stdout: keys } = await execFileAsync('etcdctl', ['snapshot', 'status', snapshotPath], {
      env: { ...process.env, ETCDCTL_API: '3' },
    });
    expect(keys).toMatch(/\S/);

    const files = result.manifest.files.map((file) => file.path).sort();
    expect(files).toEqual([
      'admin/pki/admin-cp.tar',
      'admin/snapshot.db',
      'objects/kube-apiserver-pdb.json',
      'objects/kube-etcd-certs.json',
      'objects/members.json',
      'objects/replicas.json',
      'snapshot.db',
    ]);
    const secret = JSON.parse(await readFile(join(result.path, 'objects/kube-etcd-certs.json'), 'utf8'));
    expect(secret).toMatchObject({ kind: 'Secret', metadata: { namespace } });
    expect(secret.metadata.name).toMatch(/^kube-etcd-certs-/);
    expect(secret.metadata.resourceVersion).toBeUndefined();
    expect(Object.keys(secret.data).sort()).toEqual(['etcd.crt', 'etcd.key', 'etcdCA.crt']);
    const replicas = JSON.parse(await readFile(join(result.path, 'objects/replicas.json'), 'utf8'));
    expect(replicas).toEqual({
      'statefulset/kube-etcd': 1,
      'statefulset/kube-apiserver': 1,
      'deployment/gke-master-etcd-maintenance': 1,
    });

    const transfers = events.filter((event) => event.kind === 'transfer' && event.file === 'snapshot.db');
    expect(transfers.at(-1)).toEqual({
      kind: 'transfer',
      file: 'snapshot.db',
      bytesDone: result.snapshotBytes,
      bytesTotal: result.snapshotBytes,
    });
    // The admin cluster is included by default: its own etcd snapshot and its control-plane node's PKI.
    expect(result.adminPod).toBe('etcd-admin-cp');
    expect(result.pkiNodes).toEqual(['admin-cp']);
    const adminStatus = await etcdctlStatus(join(result.path, 'admin/snapshot.db'));
    expect(adminStatus.totalKey).toBeGreaterThan(5);
    const adminPki = await execFileAsync('tar', ['-tvf', join(result.path, 'admin/pki/admin-cp.tar')]);
    expect(adminPki.stdout).toMatch(
      /^-rw------- root\/root .* etc\/kubernetes\/pki\/etcd\/healthcheck-client\.key$/m,
    );
    expect(
      events.flatMap((event) => (event.kind === 'step' && event.status === 'done' ? [event.step] : [])),
    ).toContain('cleanup');
    expect(await tempFilesInPod(lab, 'kube-etcd-0')).toBe('');
  });

  it('resumes a transfer cut in the middle and ends with the right hash', async () => {
    const admin = await readFile(lab.adminKubeconfig, 'utf8');
    const server = /server: https:\/\/([\d.]+):(\d+)/.exec(admin);
    expect(server).not.toBeNull();
    const proxy = await startCuttingProxy({
      target: { host: server![1]!, port: Number(server![2]) },
      cutAfterBytes: 1024 * 1024,
      times: 2,
    });
    try {
      const kubeconfig = join(base, 'lab', 'cut-admin.kubeconfig');
      await writeFile(
        kubeconfig,
        admin.replace(/server: https:\/\/[\d.]+:\d+/, `server: https://127.0.0.1:${proxy.port}`),
        { mode: 0o600 },
      );
      const events: BackupProgressEvent[] = [];
      const result = await backupCluster({
        config: { ...config, adminCluster: { ...config.adminCluster, kubeconfig } },
        outputDirectory: join(base, 'cut'),
        includeAdmin: false,
        onProgress: (event) => events.push(event),
      });
      expect(proxy.cuts).toBe(2);
      expect(result.resumes).toBe(2);
      const resumed = events.filter((event) => event.kind === 'resumed');
      expect(resumed).toHaveLength(2);
      expect(resumed[0]).toMatchObject({ reason: 'connection lost', attempt: 1 });
      expect((resumed[0] as { offset: number }).offset).toBeGreaterThan(0);
      expect(result.snapshotBytes).toBeGreaterThan(3 * 1024 * 1024);
      expect((await verifyBundle({ path: result.path })).ok).toBe(true);
      const inspection = await inspectSnapshot({ path: join(result.path, 'snapshot.db'), requireHash: true });
      expect(inspection.integrity.verdict).toBe('ok');
      expect(configMapsIn(inspection).default).toBeGreaterThanOrEqual(6);
      expect(await tempFilesInPod(lab, 'kube-etcd-0')).toBe('');
    } finally {
      await proxy.close();
    }
  });

  it('gives up after the allowed resumes with BACKUP_TRANSFER_FAILED, keeping no bundle and no file in the pod', async () => {
    const admin = await readFile(lab.adminKubeconfig, 'utf8');
    const server = /server: https:\/\/([\d.]+):(\d+)/.exec(admin);
    const proxy = await startCuttingProxy({
      target: { host: server![1]!, port: Number(server![2]) },
      cutAfterBytes: 512 * 1024,
      times: 100,
    });
    const recipient = (await execFileAsync('age-keygen')).stdout.match(/(age1\S+)/)?.[1];
    try {
      const kubeconfig = join(base, 'lab', 'always-cut-admin.kubeconfig');
      await writeFile(
        kubeconfig,
        admin.replace(/server: https:\/\/[\d.]+:\d+/, `server: https://127.0.0.1:${proxy.port}`),
        { mode: 0o600 },
      );
      for (const recipients of [[], [recipient!]]) {
        const out = join(base, `always-cut-${recipients.length}`);
        const error = await backupCluster({
          config: { ...config, adminCluster: { ...config.adminCluster, kubeconfig } },
          outputDirectory: out,
          recipients,
          includeAdmin: false,
          maxResumes: 1,
        }).catch((caught: unknown) => caught);
        expect(EtcdDrError.isInstance(error)).toBe(true);
        expect((error as EtcdDrError).code).toBe('BACKUP_TRANSFER_FAILED');
        expect((error as EtcdDrError).message).toMatch(/connection lost again after 1 resumes/);
        expect(await readdir(out)).toEqual([]);
      }
      expect(await tempFilesInPod(lab, 'kube-etcd-0')).toBe('');
    } finally {
      await proxy.close();
    }
  });

  it('detects the topology from the OnPremUserCluster object; Controlplane V2 needs its nodes in the config', async () => {
    const events: BackupProgressEvent[] = [];
    const auto = await backupCluster({
      config: { ...config, userCluster: { ...config.userCluster, topology: 'auto' } },
      outputDirectory: join(base, 'auto'),
      includeAdmin: false,
      onProgress: (event) => events.push(event),
    });
    expect(auto.manifest.cluster.topology).toBe('kubeception');
    expect(events).toContainEqual({
      kind: 'step',
      step: 'detect-topology',
      status: 'done',
      detail: 'kubeception',
    });

    const out = join(base, 'cpv2');
    const refused = await backupCluster({
      config: { ...config, userCluster: { ...config.userCluster, topology: 'controlplane-v2' } },
      outputDirectory: out,
    }).catch((caught: unknown) => caught);
    expect((refused as EtcdDrError).code).toBe('BACKUP_CONFIG_INCOMPLETE');
    expect((refused as EtcdDrError).toLine()).toMatch(
      /uses Controlplane V2 but etcd-dr\.yaml lists no userCluster\.controlPlaneNodes;.*; add every control-plane node/,
    );

    const withoutAdminNode = await backupCluster({
      config: { ...config, adminCluster: { kubeconfig: config.adminCluster.kubeconfig } },
      outputDirectory: out,
    }).catch((caught: unknown) => caught);
    expect((withoutAdminNode as EtcdDrError).code).toBe('BACKUP_CONFIG_INCOMPLETE');
    expect((withoutAdminNode as EtcdDrError).toLine()).toMatch(/adminCluster\.controlPlaneNode.*--no-admin/);
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  it('etcd-dr backup encrypts to age recipients: age -d gives a snapshot etcdctl accepts', async () => {
    const identity = join(base, 'age.key');
    await execFileAsync('age-keygen', ['-o', identity]);
    const recipient = /public key: (age1\S+)/.exec(await readFile(identity, 'utf8'))?.[1];
    expect(recipient).toBeDefined();
    const out = join(base, 'encrypted');
    const result = await runCli([
      'backup',
      '--config',
      lab.config,
      '--out',
      out,
      '--recipient',
      recipient!,
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/WARNING/);
    const report = JSON.parse(result.stdout) as { ok: boolean; path: string; files: Array<{ path: string }> };
    expect(report.ok).toBe(true);
    expect(report.files.map((file) => file.path).sort()).toEqual([
      'admin/pki/admin-cp.tar.age',
      'admin/snapshot.db.age',
      'objects/kube-apiserver-pdb.json',
      'objects/kube-etcd-certs.json.age',
      'objects/members.json',
      'objects/replicas.json',
      'snapshot.db.age',
    ]);
    expect((await verifyBundle({ path: report.path })).ok).toBe(true);
    const decrypted = join(base, 'decrypted.db');
    await execFileAsync('age', ['-d', '-i', identity, '-o', decrypted, join(report.path, 'snapshot.db.age')]);
    const status = await etcdctlStatus(decrypted);
    const manifest = JSON.parse(await readFile(join(report.path, 'manifest.json'), 'utf8'));
    expect(manifest.snapshot).toEqual({
      revision: status.revision,
      totalKeys: status.totalKey,
      hash: 'hashed',
    });
    const inspection = await inspectSnapshot({ path: decrypted, requireHash: true });
    expect(configMapsIn(inspection).default).toBeGreaterThanOrEqual(6);
    const { stdout: secret } = await execFileAsync('age', [
      '-d',
      '-i',
      identity,
      join(report.path, 'objects/kube-etcd-certs.json.age'),
    ]);
    expect(JSON.parse(secret)).toMatchObject({ kind: 'Secret' });
    expect(await tempFilesInPod(lab, 'kube-etcd-0')).toBe('');
  });

  it('etcd-dr backup without a recipient warns loudly and prints the bundle path and a summary', async () => {
    const out = join(base, 'cli-plain');
    const result = await runCli(['backup', '--config', lab.config, '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n')[0]).toMatch(
      /^etcd-dr: WARNING: no --recipient given: .*every Kubernetes Secret/,
    );
    expect(result.stderr).toMatch(/^etcd-dr: transfer .* of /m);
    const [path, ...summary] = result.stdout.trim().split('\n');
    expect(await readdir(out)).toEqual([path!.split('/').at(-1)]);
    expect(summary.join('\n')).toMatch(/revision \d+, \d+ keys, [\d.]+ MiB, NOT encrypted/);
    expect((await verifyBundle({ path: path! })).ok).toBe(true);
  });

  it('etcd-dr backup never loads @kubernetes/client-node (a loader hook records every module)', async () => {
    const loaded = join(base, 'loaded-modules.txt');
    const hooks = join(base, 'record-loads.mjs');
    await writeFile(
      hooks,
      `import { appendFileSync } from 'node:fs';
export async function load(url, context, nextLoad) {
  appendFileSync(${JSON.stringify(loaded)}, url + '\\n');
  return nextLoad(url, context);
}
`,
    );
    const register = join(base, 'register-hooks.mjs');
    await writeFile(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
    );
    const out = join(base, 'cli-lite');
    const result = await runCli(['backup', '--config', lab.config, '--out', out], {
      env: { NODE_OPTIONS: `--import=${pathToFileURL(register).href}` },
    });
    expect(result.code).toBe(0);
    const [path] = result.stdout.trim().split('\n');
    expect((await verifyBundle({ path: path! })).ok).toBe(true);
    const modules = (await readFile(loaded, 'utf8')).trim().split('\n');
    // The hook saw the SDK itself (so it works), and the admin and user backups ran without client-node.
    expect(modules.some((url) => url.includes('/packages/sdk/dist/'))).toBe(true);
    expect(modules.filter((url) => url.includes('@kubernetes/client-node'))).toEqual([]);
  });

  it('a wrong kubeconfig gives a one-line typed error and leaves no bundle', async () => {
    const missing = join(base, 'missing.yaml');
    const text = (await readFile(lab.config, 'utf8')).replace(
      /kubeconfig: .*admin\.kubeconfig.*/,
      `kubeconfig: ${join(base, 'nowhere.kubeconfig')}`,
    );
    await writeFile(missing, text);
    const out = join(base, 'wrong');
    const noFile = await runCli(['backup', '--config', missing, '--out', out]);
    expect(noFile.code).toBe(1);
    expect(noFile.stdout).toBe('');
    expect(noFile.stderr.trim().split('\n').at(-1)).toMatch(
      /^etcd-dr: error KUBECONFIG_NOT_FOUND: .*nowhere\.kubeconfig/,
    );

    // The user cluster's kubeconfig in place of the admin one: that cluster has no kube-etcd pods.
    const swapped = await backupCluster({
      config: { ...config, adminCluster: { ...config.adminCluster, kubeconfig: lab.userKubeconfig } },
      outputDirectory: out,
    }).catch((error: unknown) => error);
    expect(EtcdDrError.isInstance(swapped)).toBe(true);
    expect((swapped as EtcdDrError).code).toBe('BACKUP_POD_NOT_FOUND');
    expect((swapped as EtcdDrError).toLine()).not.toContain('\n');
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  it('a broken etcd member gives BACKUP_ETCD_UNHEALTHY and leaves no bundle', async () => {
    await lab.breakMembers([0]);
    await waitFor(
      async () =>
        (
          await runKubectl({
            kubeconfig: lab.adminKubeconfig,
            args: ['get', 'pod', 'kube-etcd-0', '-n', namespace],
          })
        ).stdout.includes('CrashLoopBackOff'),
      30_000,
      'kube-etcd-0 to crash-loop',
    );
    const out = join(base, 'broken');
    const result = await runCli(['backup', '--config', lab.config, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(
      /^etcd-dr: error BACKUP_ETCD_UNHEALTHY: no Ready etcd member in namespace user-cluster-1 \(kube-etcd-0 .+\); /,
    );
    expect(lines.filter((line) => line.startsWith('etcd-dr: error'))).toHaveLength(1);
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });
});

describe('backup of a Kubeception user cluster (HA lab)', () => {
  let base: string;
  let lab: Sandbox;
  let config: ClusterConfig;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-backup-ha-'));
    lab = await startSandbox({ topology: 'kubeception', ha: true, dir: join(base, 'lab'), attached: true });
    config = await loadClusterConfig({ path: lab.config });
    const created = await runKubectl({
      kubeconfig: lab.userKubeconfig,
      args: ['create', 'configmap', 'ha-probe', '--from-literal=a=1'],
    });
    expect(created.exitCode).toBe(0);
  });
  afterAll(async () => {
    await lab?.stop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('records three members with their nodes and the configmap in the snapshot', async () => {
    const result = await backupCluster({ config, outputDirectory: join(base, 'out'), includeAdmin: false });
    expect(result.pod).toBe('kube-etcd-0');
    expect(result.manifest.cluster.ha).toBe(true);
    expect(result.manifest.cluster.members.map((member) => [member.name, member.peerUrl])).toEqual([
      ['kube-etcd-0', 'https://kube-etcd-0.kube-etcd:2380'],
      ['kube-etcd-1', 'https://kube-etcd-1.kube-etcd:2380'],
      ['kube-etcd-2', 'https://kube-etcd-2.kube-etcd:2380'],
    ]);
    expect(result.manifest.cluster.members.every((member) => typeof member.node === 'string')).toBe(true);
    expect((await verifyBundle({ path: result.path })).ok).toBe(true);
    const inspection = await inspectSnapshot({ path: join(result.path, 'snapshot.db'), requireHash: true });
    expect(configMapsIn(inspection).default).toBe(1);
    const replicas = JSON.parse(await readFile(join(result.path, 'objects/replicas.json'), 'utf8'));
    expect(replicas).toMatchObject({ 'statefulset/kube-etcd': 3, 'statefulset/kube-apiserver': 3 });
    expect(await tempFilesInPod(lab, 'kube-etcd-0')).toBe('');
  });

  it('takes the snapshot from the first Ready member when kube-etcd-0 is down', async () => {
    await lab.breakMembers([0]);
    await waitFor(
      async () =>
        (
          await runKubectl({
            kubeconfig: lab.adminKubeconfig,
            args: ['get', 'pod', 'kube-etcd-0', '-n', namespace],
          })
        ).stdout.includes('CrashLoopBackOff'),
      30_000,
      'kube-etcd-0 to crash-loop',
    );
    const result = await backupCluster({
      config,
      outputDirectory: join(base, 'degraded'),
      includeAdmin: false,
    });
    expect(result.pod).toBe('kube-etcd-1');
    const inspection = await inspectSnapshot({ path: join(result.path, 'snapshot.db'), requireHash: true });
    expect(configMapsIn(inspection).default).toBe(1);
    expect(await tempFilesInPod(lab, 'kube-etcd-1')).toBe('');
  });
});
