import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { runTool } from '../packages/sandbox/src/lab/testing/run-tool.js';
import { configMapsIn, etcdctlStatus } from './snapshot-facts.js';

const execFileAsync = promisify(execFile);
const cluster = 'user-cluster-1';

/** `mode owner/group` of every regular file under etc/kubernetes/pki in a tar archive, by relative path. */
async function tarModes(archive: Buffer): Promise<Map<string, string>> {
  const listing = await runTool({ program: 'tar', args: ['--numeric-owner', '-tvf', '-'], input: archive });
  expect(listing.exitCode).toBe(0);
  return new Map(
    listing.stdout
      .toString()
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/))
      .filter((fields) => fields[0]!.startsWith('-'))
      .map((fields) => [fields[5]!.replace('etc/kubernetes/pki/', ''), `${fields[0]} ${fields[1]}`]),
  );
}

/** The same facts read on the node itself with `stat`, over the lab's ssh (through its jump host if any). */
async function nodeModes(lab: Sandbox, node: string): Promise<Map<string, string>> {
  const result = await runTool({
    program: 'ssh',
    args: [
      '-F',
      lab.sshConfig!,
      node,
      "sudo -n find /etc/kubernetes/pki -type f -exec stat -c '%A %u/%g %n' {} +",
    ],
  });
  expect(result.exitCode).toBe(0);
  return new Map(
    result.stdout
      .toString()
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map((fields) => [fields[2]!.replace('/etc/kubernetes/pki/', ''), `${fields[0]} ${fields[1]}`]),
  );
}

async function expectPkiOfNode(lab: Sandbox, node: string, archive: Buffer): Promise<void> {
  const inArchive = await tarModes(archive);
  const onNode = await nodeModes(lab, node);
  expect(onNode.size).toBeGreaterThan(8);
  expect(inArchive).toEqual(onNode);
  expect(inArchive.get('etcd/server.key')).toBe('-rw------- 0/0');
  expect(inArchive.get('etcd/ca.crt')).toBe('-rw-r--r-- 0/0');
}

async function tempFilesInPod(options: { kubeconfig: string; pod: string }): Promise<string> {
  const listed = await runKubectl({
    kubeconfig: options.kubeconfig,
    args: ['exec', '-n', 'kube-system', options.pod, '-c', 'etcd', '--', '/bin/sh', '-c', 'ls /tmp'],
  });
  expect(listed.exitCode).toBe(0);
  return listed.stdout
    .split('\n')
    .filter((name) => name.startsWith('etcd-dr-'))
    .join(' ');
}

async function expectFailure(promise: Promise<unknown>, code: string): Promise<EtcdDrError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(EtcdDrError.isInstance(error)).toBe(true);
  expect((error as EtcdDrError).code).toBe(code);
  expect((error as EtcdDrError).toLine()).not.toContain('\n');
  return error as EtcdDrError;
}

describe('backup of a Controlplane V2 user cluster (non-HA lab, real kubectl, etcdctl, ssh and sudo)', () => {
  let base: string;
  let lab: Sandbox;
  let config: ClusterConfig;
  let node: string;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-backup-cpv2-'));
    lab = await startSandbox({ topology: 'controlplane-v2', dir: join(base, 'lab'), attached: true });
    config = await loadClusterConfig({ path: lab.config });
    node = config.userCluster.controlPlaneNodes[0]!.name;
    for (const name of ['cpv2-probe-1', 'cpv2-probe-2']) {
      const created = await runKubectl({
        kubeconfig: lab.userKubeconfig,
        args: ['create', 'configmap', name, '--from-literal=a=1'],
      });
      expect(created.exitCode).toBe(0);
    }
  });
  afterAll(async () => {
    await lab?.stop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('snapshots etcd-NODE, archives the PKI of the node and of admin-cp with their modes, and the admin etcd', async () => {
    const events: BackupProgressEvent[] = [];
    const result = await backupCluster({
      config,
      outputDirectory: join(base, 'plain'),
      onProgress: (event) => events.push(event),
    });
    const address = config.userCluster.controlPlaneNodes[0]!.address;
    expect(result.pod).toBe(`etcd-${node}`);
    expect(result.adminPod).toBe('etcd-admin-cp');
    expect(result.manifest.cluster).toEqual({
      name: cluster,
      topology: 'controlplane-v2',
      ha: false,
      members: [
        {
          name: node,
          peerUrl: `https://${address}:2380`,
          clientUrl: `https://${address}:2379`,
          node,
        },
      ],
    });
    expect(result.manifest.hostKeys).toEqual({});
    expect(result.manifest.files.map((file) => [file.path, file.role, file.node ?? null]).sort()).toEqual(
      [
        ['admin/pki/admin-cp.tar', 'admin-pki', 'admin-cp'],
        ['admin/snapshot.db', 'admin-snapshot', null],
        [`objects/etcd-manifest-${node}.yaml`, 'object', node],
        ['objects/members.json', 'object', null],
        [`pki/${node}.tar`, 'pki', node],
        ['snapshot.db', 'snapshot', null],
      ].sort(),
    );
    expect((await verifyBundle({ path: result.path })).ok).toBe(true);

    const snapshotPath = join(result.path, 'snapshot.db');
    const status = await etcdctlStatus(snapshotPath);
    expect(result.manifest.snapshot).toEqual({
      revision: status.revision,
      totalKeys: status.totalKey,
      hash: 'hashed',
    });
    const inspection = await inspectSnapshot({ path: snapshotPath, requireHash: true });
    expect(configMapsIn(inspection).default).toBe(2);
    const inspected = await runCli(['inspect', snapshotPath]);
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toMatch(/^Integrity\s+ok: trailing SHA-256 matches/m);
    expect(inspected.stdout).toMatch(new RegExp(`^Revision\\s+${status.revision} `, 'm'));
    expect(inspected.stdout).toMatch(/^configmaps\s+\d+\s+\d+\s+\(.*default 2/m);

    // The admin snapshot is the admin cluster's own store: its namespaces hold user-cluster-1, not the probes.
    const adminSnapshot = join(result.path, 'admin/snapshot.db');
    expect((await etcdctlStatus(adminSnapshot)).totalKey).toBeGreaterThan(5);
    const adminInspection = await inspectSnapshot({ path: adminSnapshot, requireHash: true });
    expect(adminInspection.integrity.verdict).toBe('ok');
    expect(configMapsIn(adminInspection).default ?? 0).toBe(0);

    await expectPkiOfNode(lab, node, await readFile(join(result.path, `pki/${node}.tar`)));
    const adminPki = await readFile(join(result.path, 'admin/pki/admin-cp.tar'));
    await expectPkiOfNode(lab, 'admin-cp', adminPki);
    expect((await tarModes(adminPki)).get('etcd/healthcheck-client.key')).toBe('-rw------- 0/0');

    const manifestText = await readFile(join(result.path, `objects/etcd-manifest-${node}.yaml`), 'utf8');
    const onNode = await runTool({
      program: 'ssh',
      args: ['-F', lab.sshConfig!, node, 'sudo -n cat /etc/kubernetes/manifests/etcd.yaml'],
    });
    expect(manifestText).toBe(onNode.stdout.toString());
    expect(manifestText).toContain(`--name=${node}`);

    const done = events.flatMap((event) =>
      event.kind === 'step' && event.status === 'done'
        ? [`${event.step}${event.node ? ` ${event.node}` : ''}`]
        : [],
    );
    expect(done).toEqual(
      expect.arrayContaining([
        'check-etcd',
        'connect-ssh',
        'transfer',
        'verify',
        `pki ${node}`,
        'admin-snapshot',
        'admin-pki admin-cp',
        'cleanup',
      ]),
    );
    expect(
      events.filter((event) => event.kind === 'transfer').map((event) => (event as { file?: string }).file),
    ).toContain('admin/snapshot.db');
    expect(await tempFilesInPod({ kubeconfig: lab.userKubeconfig, pod: `etcd-${node}` })).toBe('');
    expect(await tempFilesInPod({ kubeconfig: lab.adminKubeconfig, pod: 'etcd-admin-cp' })).toBe('');
  });

  it('etcd-dr backup --plan prints the steps with their kubectl/ssh commands and changes nothing', async () => {
    const out = join(base, 'plan');
    const result = await runCli(['backup', '--config', lab.config, '--out', out, '--plan']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Backup plan for user-cluster-1 \(controlplane-v2, with the admin cluster, NOT encrypted\)/,
    );
    expect(result.stdout).toContain(`Check that every etcd member of ${cluster} is healthy`);
    expect(result.stdout).toContain(
      `exec -n kube-system etcd-${node} -c etcd -- /bin/sh -ec 'ETCDCTL_API=3 etcdctl`,
    );
    expect(result.stdout).toMatch(
      new RegExp(
        `\\$ ssh -i \\S+ ubuntu@[\\d.]+ 'sudo -n -- tar -C / -cf - etc/kubernetes/pki' > pki/${node}\\.tar`,
      ),
    );
    expect(result.stdout).toContain('healthcheck-client.crt');
    expect(result.stdout).toContain('admin/pki/admin-cp.tar');
    expect(await readdir(out).catch(() => [])).toEqual([]);

    const noAdmin = await runCli(['backup', '--config', lab.config, '--plan', '--no-admin', '--json']);
    expect(noAdmin.code).toBe(0);
    const plan = JSON.parse(noAdmin.stdout) as { includeAdmin: boolean; steps: Array<{ id: string }> };
    expect(plan.includeAdmin).toBe(false);
    expect(plan.steps.map((step) => step.id)).toEqual([
      'find-etcd',
      'connect-ssh',
      'snapshot',
      `pki:${node}`,
      'save-objects',
      'write-bundle',
    ]);
  });

  it('etcd-dr backup --recipient stores snapshot and PKI only age-encrypted; --no-admin leaves the admin out', async () => {
    const identity = join(base, 'age.key');
    await execFileAsync('age-keygen', ['-o', identity]);
    const recipient = /public key: (age1\S+)/.exec(await readFile(identity, 'utf8'))?.[1];
    const out = join(base, 'encrypted');
    const result = await runCli([
      'backup',
      '--config',
      lab.config,
      '--out',
      out,
      '--recipient',
      recipient!,
      '--no-admin',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      path: string;
      pkiNodes: string[];
      files: Array<{ path: string }>;
    };
    expect(report.pkiNodes).toEqual([node]);
    expect(report.files.map((file) => file.path).sort()).toEqual([
      `objects/etcd-manifest-${node}.yaml`,
      'objects/members.json',
      `pki/${node}.tar.age`,
      'snapshot.db.age',
    ]);
    const { stdout: archive } = await execFileAsync(
      'age',
      ['-d', '-i', identity, join(report.path, `pki/${node}.tar.age`)],
      { encoding: 'buffer' },
    );
    await expectPkiOfNode(lab, node, archive);
    const decrypted = join(base, 'decrypted.db');
    await execFileAsync('age', ['-d', '-i', identity, '-o', decrypted, join(report.path, 'snapshot.db.age')]);
    expect(configMapsIn(await inspectSnapshot({ path: decrypted, requireHash: true })).default).toBe(2);
    expect(await tempFilesInPod({ kubeconfig: lab.userKubeconfig, pod: `etcd-${node}` })).toBe('');
  });

  it('detects Controlplane V2 from the OnPremUserCluster object and records host keys trusted on first use', async () => {
    const unpinned: ClusterConfig = {
      ...config,
      adminCluster: {
        ...config.adminCluster,
        controlPlaneNode: { ...config.adminCluster.controlPlaneNode!, hostKey: undefined },
      },
      userCluster: {
        ...config.userCluster,
        controlPlaneNodes: config.userCluster.controlPlaneNodes.map((entry) => ({
          ...entry,
          hostKey: undefined,
        })),
      },
    };
    const events: BackupProgressEvent[] = [];
    const result = await backupCluster({
      config: unpinned,
      outputDirectory: join(base, 'tofu'),
      onProgress: (event) => events.push(event),
    });
    expect(events).toContainEqual({
      kind: 'step',
      step: 'detect-topology',
      status: 'done',
      detail: 'controlplane-v2',
    });
    expect(result.manifest.cluster.topology).toBe('controlplane-v2');
    expect(result.manifest.hostKeys).toEqual({
      [node]: config.userCluster.controlPlaneNodes[0]!.hostKey,
      'admin-cp': config.adminCluster.controlPlaneNode!.hostKey,
    });
  });

  it('fails with a typed error before any snapshot, leaving no bundle: refused key, changed host key, sudo asking for a password', async () => {
    const out = join(base, 'faults');
    const strangerKey = join(base, 'stranger');
    await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', strangerKey]);
    const withNode = (
      change: Partial<ClusterConfig['userCluster']['controlPlaneNodes'][number]>,
    ): ClusterConfig => ({
      ...config,
      userCluster: {
        ...config.userCluster,
        controlPlaneNodes: config.userCluster.controlPlaneNodes.map((entry) => ({ ...entry, ...change })),
      },
    });

    const refused = await expectFailure(
      backupCluster({ config: withNode({ identityFile: strangerKey }), outputDirectory: out }),
      'SSH_AUTH_FAILED',
    );
    expect(refused.message).toContain(`node ${node}`);
    expect(refused.remedy).toMatch(/authorized_keys/);

    const otherKey = `SHA256:${'A'.repeat(43)}`;
    const changed = await expectFailure(
      backupCluster({ config: withNode({ hostKey: otherKey }), outputDirectory: out }),
      'SSH_HOST_KEY_MISMATCH',
    );
    expect(changed.message).toContain(
      `pinned ${otherKey}, presented ${config.userCluster.controlPlaneNodes[0]!.hostKey}`,
    );

    const sudoers = join(lab.dir, 'nodes', node, 'root', 'etc', 'sudoers');
    const original = await readFile(sudoers, 'utf8');
    try {
      await writeFile(sudoers, original.replace('ubuntu ALL=(ALL) NOPASSWD:ALL', 'ubuntu ALL=(ALL) ALL'));
      const cli = await runCli(['backup', '--config', lab.config, '--out', out]);
      expect(cli.code).toBe(1);
      expect(cli.stdout).toBe('');
      expect(cli.stderr.trim().split('\n').at(-1)).toMatch(
        new RegExp(
          `^etcd-dr: error SSH_SUDO_PASSWORD_REQUIRED: sudo on node ${node} .* asks ubuntu for a password.*; allow ubuntu passwordless sudo`,
        ),
      );
    } finally {
      await writeFile(sudoers, original);
    }
    expect(await readdir(out).catch(() => [])).toEqual([]);
    expect(await tempFilesInPod({ kubeconfig: lab.userKubeconfig, pod: `etcd-${node}` })).toBe('');
  });

  it('a failure in the admin PKI read, beside the admin snapshot, leaves no bundle, no partial directory and no snapshot in any pod', async () => {
    const out = join(base, 'late-fault');
    const sudoers = join(lab.dir, 'nodes', 'admin-cp', 'root', 'etc', 'sudoers');
    const original = readFileSync(sudoers, 'utf8');
    const events: BackupProgressEvent[] = [];
    try {
      const error = await expectFailure(
        backupCluster({
          config,
          outputDirectory: out,
          onProgress: (event) => {
            events.push(event);
            // Synchronously, between the sudo check at connect time and the admin PKI read.
            if (event.kind === 'step' && event.step === 'admin-pki' && event.status === 'started') {
              writeFileSync(
                sudoers,
                original.replace('ubuntu ALL=(ALL) NOPASSWD:ALL', 'ubuntu ALL=(ALL) ALL'),
              );
            }
          },
        }),
        'SSH_SUDO_PASSWORD_REQUIRED',
      );
      expect(error.message).toContain('node admin-cp');
    } finally {
      writeFileSync(sudoers, original);
    }
    const done = events.flatMap((event) =>
      event.kind === 'step' && event.status === 'done' ? [event.step] : [],
    );
    // The user cluster's part was complete; the admin snapshot that streamed beside the failing PKI read was
    // stopped, and its temporary file must be gone all the same (checked below).
    expect(done).toEqual(expect.arrayContaining(['verify', 'pki', 'cleanup']));
    expect(await readdir(out)).toEqual([]);
    expect(await tempFilesInPod({ kubeconfig: lab.userKubeconfig, pod: `etcd-${node}` })).toBe('');
    expect(await tempFilesInPod({ kubeconfig: lab.adminKubeconfig, pod: 'etcd-admin-cp' })).toBe('');
  });

  it('draws a progress bar per snapshot on a terminal', async () => {
    const out = join(base, 'tty');
    const cli = join(import.meta.dirname, '../packages/cli/dist/etcd-dr.js');
    const command = `${process.execPath} ${cli} backup --config ${lab.config} --out ${out}`;
    const result = await runTool({ program: 'script', args: ['-qefc', command, '/dev/null'] });
    const text = result.stdout.toString();
    expect(result.exitCode).toBe(0);
    expect(text).toMatch(/\rtransfer snapshot\.db \[#{30}\] 100% /);
    expect(text).toMatch(/\rtransfer admin\/snapshot\.db \[#{30}\] 100% /);
    expect(text).toMatch(new RegExp(`etcd-dr: pki ${node} done \\(\\d+ bytes\\)`));
    expect(text).not.toMatch(/etcd-dr: transfer snapshot\.db/);
    expect(await readdir(out)).toHaveLength(1);
  });
});

describe('backup of a Controlplane V2 user cluster (HA lab behind a jump host)', () => {
  let base: string;
  let lab: Sandbox;
  let config: ClusterConfig;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-backup-cpv2-ha-'));
    lab = await startSandbox({
      topology: 'controlplane-v2',
      ha: true,
      jumpHost: true,
      dir: join(base, 'lab'),
      attached: true,
    });
    config = await loadClusterConfig({ path: lab.config });
    const created = await runKubectl({
      kubeconfig: lab.userKubeconfig,
      args: ['create', 'configmap', 'cpv2-ha-probe', '--from-literal=a=1'],
    });
    expect(created.exitCode).toBe(0);
  });
  afterAll(async () => {
    await lab?.stop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('backs up through the jump host: three members, every node PKI with its modes, the configmap in the snapshot', async () => {
    expect(config.jumpHost?.name).toBe('jump-host');
    const nodes = config.userCluster.controlPlaneNodes;
    expect(nodes).toHaveLength(3);
    // The nodes accept logins only from the jump host: a direct connection is refused.
    const direct = await backupCluster({
      config: { ...config, jumpHost: undefined },
      outputDirectory: join(base, 'direct'),
      includeAdmin: false,
    }).then(
      () => undefined,
      (error: unknown) => error as EtcdDrError,
    );
    expect(direct?.code).toMatch(/^SSH_/);

    const result = await backupCluster({ config, outputDirectory: join(base, 'out') });
    expect(result.manifest.cluster.ha).toBe(true);
    expect(
      result.manifest.cluster.members.map((member) => [member.name, member.node, member.peerUrl]),
    ).toEqual(nodes.map((entry) => [entry.name, entry.name, `https://${entry.address}:2380`]));
    expect(result.pkiNodes).toEqual([...nodes.map((entry) => entry.name), 'admin-cp']);
    expect((await verifyBundle({ path: result.path })).ok).toBe(true);
    const snapshotPath = join(result.path, 'snapshot.db');
    const status = await etcdctlStatus(snapshotPath);
    expect(result.manifest.snapshot.revision).toBe(status.revision);
    expect(configMapsIn(await inspectSnapshot({ path: snapshotPath, requireHash: true })).default).toBe(1);
    for (const entry of nodes) {
      await expectPkiOfNode(lab, entry.name, await readFile(join(result.path, `pki/${entry.name}.tar`)));
      expect(await readFile(join(result.path, `objects/etcd-manifest-${entry.name}.yaml`), 'utf8')).toContain(
        `--initial-cluster=${nodes.map((member) => `${member.name}=https://${member.address}:2380`).join(',')}`,
      );
    }
    await expectPkiOfNode(lab, 'admin-cp', await readFile(join(result.path, 'admin/pki/admin-cp.tar')));
    expect(await tempFilesInPod({ kubeconfig: lab.userKubeconfig, pod: `etcd-${nodes[0]!.name}` })).toBe('');
  });

  it('refuses with BACKUP_ETCD_UNHEALTHY naming the broken member, leaving no bundle', async () => {
    const broken = config.userCluster.controlPlaneNodes[1]!.name;
    await lab.breakMembers([1]);
    await waitFor(
      async () =>
        (
          await runKubectl({
            kubeconfig: lab.userKubeconfig,
            args: ['get', 'pod', `etcd-${broken}`, '-n', 'kube-system'],
          })
        ).stdout.includes('CrashLoopBackOff'),
      30_000,
      `etcd-${broken} to crash-loop`,
    );
    const out = join(base, 'broken');
    const error = await expectFailure(
      backupCluster({ config, outputDirectory: out }),
      'BACKUP_ETCD_UNHEALTHY',
    );
    expect(error.message).toContain(`etcd-${broken} CrashLoopBackOff`);
    expect((error as EtcdDrError & { object?: string }).object).toBe(`pod kube-system/etcd-${broken}`);
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });
});
