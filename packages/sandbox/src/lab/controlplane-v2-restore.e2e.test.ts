import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labImages } from './lab-versions.js';
import { startSandbox } from './start-sandbox.js';
import { etcdctlCerts, kubectl, readLabNodes, ssh } from './testing/controlplane-v2-checks.js';
import { retryUntil, runTool } from './testing/run-tool.js';

// The runbook's Controlplane V2 non-HA restore, run by hand over the real ssh/scp against a broken lab.
const parents: string[] = [];
afterAll(async () => {
  for (const parent of parents) await rm(parent, { recursive: true, force: true });
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('the runbook Controlplane V2 non-HA restore over ssh', () => {
  it("restores nothing with the runbook's docker command (its --data-dir is not a mount), and restores with a mounted one", async () => {
    const parent = await mkdtemp(join(tmpdir(), 'edr-cpv2-restore-'));
    parents.push(parent);
    await using lab = await startSandbox({
      topology: 'controlplane-v2',
      dir: join(parent, 'lab'),
      attached: true,
    });
    const { controlPlaneNodes } = await readLabNodes(lab);
    const node = controlPlaneNodes[0]!;
    const onNode = async (command: string) => {
      const result = await ssh(lab, node.name, command);
      expect(result.stderr.replace(/\r/g, '')).not.toMatch(/Permission denied|not found/);
      return result;
    };

    expect((await kubectl(lab, ['create', 'configmap', 'before', '--from-literal=a=1'])).exitCode).toBe(0);
    const save = await kubectl(lab, [
      'exec',
      '-n',
      'kube-system',
      `etcd-${node.name}`,
      '-c',
      'etcd',
      '--',
      'etcdctl',
      ...etcdctlCerts,
      'snapshot',
      'save',
      '/tmp/snapshot.db',
    ]);
    expect(save.exitCode).toBe(0);
    const snapshot = join(parent, 'snapshot.db');
    const copy = await kubectl(lab, [
      'cp',
      `kube-system/etcd-${node.name}:/tmp/snapshot.db`,
      snapshot,
      '-c',
      'etcd',
    ]);
    expect(copy.exitCode).toBe(0);
    expect((await kubectl(lab, ['create', 'configmap', 'after', '--from-literal=b=2'])).exitCode).toBe(0);

    await lab.breakMembers([0]);
    const broken = await retryUntil({
      attempt: () => kubectl(lab, ['get', 'configmaps', '--request-timeout=5s']),
      done: (result) => result.exitCode !== 0,
      timeoutMs: 30_000,
    });
    expect(broken.exitCode).not.toBe(0);

    const scp = await runTool({
      program: 'scp',
      args: ['-F', lab.sshConfig!, snapshot, `${node.name}:/tmp/snapshot.db`],
    });
    expect(scp.exitCode).toBe(0);
    const dataFile = '/opt/data/var/lib/etcd/member/snap/db';
    const brokenData = (await onNode(`sudo -n cat ${dataFile}`)).stdout;
    expect(
      (
        await onNode(
          'sudo -n mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/manifests/etcd.yaml ~',
        )
      ).exitCode,
    ).toBe(0);

    const restore = (dataDir: string) =>
      [
        'sudo -n docker run --rm -t -v /opt/data/var/lib:/var/lib -v /etc/kubernetes/pki/etcd:/etc/kubernetes/pki/etcd',
        `-v /tmp:/tmp --env ETCDCTL_API=3 ${labImages.etcdUtil} etcdctl`,
        '--cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/server.crt',
        `--key=/etc/kubernetes/pki/etcd/server.key --data-dir=${dataDir} --name=${node.name}`,
        `--initial-advertise-peer-urls=https://${node.address}:2380`,
        `--initial-cluster=${node.name}=https://${node.address}:2380 snapshot restore /tmp/snapshot.db`,
      ].join(' ');

    // Exactly as the runbook writes it: it succeeds, but /opt/data is not mounted in the container.
    const asDocumented = await onNode(restore('/opt/data/var/lib/etcd'));
    expect(asDocumented.exitCode).toBe(0);
    expect(asDocumented.stdout.toString()).toContain('restored snapshot');
    expect(sha256((await onNode(`sudo -n cat ${dataFile}`)).stdout)).toBe(sha256(brokenData));

    // The same restore into a path under the /var/lib mount reaches the node; then it replaces the data.
    expect((await onNode(restore('/var/lib/etcd-restored'))).exitCode).toBe(0);
    const swap = await onNode(
      'sudo -n rm -rf /opt/data/var/lib/etcd && sudo -n mv /opt/data/var/lib/etcd-restored /opt/data/var/lib/etcd',
    );
    expect(swap.exitCode).toBe(0);
    // The moved manifests are root's (0600): the runbook's edit needs sudo too.
    const edit = await onNode(
      "sudo -n sed -i 's/^\\( *\\)- etcd$/&\\n\\1- --initial-cluster-state=new/' ~/etcd.yaml && sudo -n grep -c -- '- --initial-cluster-state=new' ~/etcd.yaml",
    );
    expect(edit.stdout.toString().trim()).toBe('1');
    expect(
      (await onNode('sudo -n mv ~/etcd.yaml ~/kube-apiserver.yaml /etc/kubernetes/manifests/')).exitCode,
    ).toBe(0);

    const names = await retryUntil({
      attempt: () =>
        kubectl(lab, [
          'get',
          'configmaps',
          '-o',
          'jsonpath={.items[*].metadata.name}',
          '--request-timeout=5s',
        ]),
      done: (result) => result.exitCode === 0,
      timeoutMs: 60_000,
    });
    expect(names.exitCode).toBe(0);
    expect(names.stdout.toString().split(' ')).toContain('before');
    expect(names.stdout.toString().split(' ')).not.toContain('after');

    const diagnose = await retryUntil({
      attempt: () =>
        runTool({
          program: join(lab.dir, 'bin', 'gkectl'),
          args: [
            'diagnose',
            'cluster',
            '--kubeconfig',
            lab.adminKubeconfig,
            '--cluster-name',
            'user-cluster-1',
          ],
          cwd: parent,
        }),
      done: (result) => result.exitCode === 0,
      timeoutMs: 30_000,
    });
    expect(diagnose.stdout.toString()).toContain('Cluster is healthy!');
    expect(diagnose.exitCode).toBe(0);
  });
});
