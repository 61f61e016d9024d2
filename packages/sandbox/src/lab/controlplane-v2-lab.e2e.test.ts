import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sandboxStatusOf } from './sandbox-status-of.js';
import { startSandbox } from './start-sandbox.js';
import { stopSandbox } from './stop-sandbox.js';
import {
  checkApiserverManifests,
  checkBackupSteps,
  expectNothingLeft,
  hostFingerprint,
  kubectl,
  readLabFootprint,
  readLabNodes,
} from './testing/controlplane-v2-checks.js';
import { retryUntil } from './testing/run-tool.js';

const parents: string[] = [];
afterEach(async () => {
  for (const parent of parents.splice(0)) await rm(parent, { recursive: true, force: true });
});

async function labDir(): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'edr-cpv2-'));
  parents.push(parent);
  return join(parent, 'lab');
}

describe('a non-HA Controlplane V2 lab', () => {
  it('serves the runbook backup steps: etcd-NODE by label, etcdctl through exec, kubectl cp, the PKI over ssh', async () => {
    await using lab = await startSandbox({
      topology: 'controlplane-v2',
      dir: await labDir(),
      attached: true,
    });
    const nodes = await readLabNodes(lab);
    expect(nodes.controlPlaneNodes.map((node) => node.name)).toEqual(['user-cluster-1-cp1']);
    expect(nodes.adminNode.name).toBe('admin-cp');
    expect(nodes.controlPlaneNodes[0]!.hostKey).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const flag = await kubectl(lab, [
      'get',
      'onpremuserclusters',
      '-n',
      'kube-system',
      '-o',
      'jsonpath={.items[0].spec.enableControlplaneV2}',
    ]);
    expect(flag.stdout.toString()).toBe('true');
    const nodeList = await kubectl(lab, ['get', 'nodes', '-o', 'name']);
    expect(nodeList.stdout.toString().trim()).toBe('node/user-cluster-1-cp1');
    const adminEtcd = await kubectl(
      lab,
      ['get', 'pods', '-n', 'kube-system', '-l', 'component=etcd,tier=control-plane', '-o', 'name'],
      lab.adminKubeconfig,
    );
    expect(adminEtcd.stdout.toString().trim()).toBe('pod/etcd-admin-cp');
    // The runbook's admin backup: etcdctl in the admin etcd pod with the healthcheck-client certificate.
    const adminHealth = await kubectl(
      lab,
      [
        'exec',
        '-n',
        'kube-system',
        'etcd-admin-cp',
        '-c',
        'etcd',
        '--',
        'etcdctl',
        '--cacert=/etc/kubernetes/pki/etcd/ca.crt',
        '--cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt',
        '--key=/etc/kubernetes/pki/etcd/healthcheck-client.key',
        '--endpoints=https://127.0.0.1:2379',
        'endpoint',
        'health',
      ],
      lab.adminKubeconfig,
    );
    expect(adminHealth.exitCode).toBe(0);
    expect(`${adminHealth.stdout}${adminHealth.stderr}`).toContain('https://127.0.0.1:2379 is healthy');
    await checkBackupSteps(lab, nodes);

    // The kubelet re-posts a deleted mirror pod (as after an etcd restore that lost it); exec still works.
    const uid = (name: string) =>
      kubectl(lab, ['get', 'pod', '-n', 'kube-system', name, '-o', 'jsonpath={.metadata.uid}']);
    const before = (await uid('etcd-user-cluster-1-cp1')).stdout.toString();
    const deleted = await kubectl(lab, ['delete', 'pod', '-n', 'kube-system', 'etcd-user-cluster-1-cp1']);
    expect(deleted.exitCode).toBe(0);
    const after = await retryUntil({
      attempt: () => uid('etcd-user-cluster-1-cp1'),
      done: (result) =>
        result.exitCode === 0 && result.stdout.length > 0 && result.stdout.toString() !== before,
      timeoutMs: 10_000,
    });
    expect(after.stdout.toString()).not.toBe(before);
    const ready = await retryUntil({
      attempt: () =>
        kubectl(lab, [
          'exec',
          '-n',
          'kube-system',
          'etcd-user-cluster-1-cp1',
          '-c',
          'etcd',
          '--',
          'hostname',
        ]),
      done: (result) => result.exitCode === 0,
      timeoutMs: 10_000,
    });
    expect(ready.stdout.toString().trim()).toBe('user-cluster-1-cp1');
  });

  it('takes the user API down while kube-apiserver.yaml is off the node; a broken member crash-loops', async () => {
    await using lab = await startSandbox({
      topology: 'controlplane-v2',
      dir: await labDir(),
      attached: true,
    });
    const nodes = await readLabNodes(lab);
    await checkApiserverManifests(lab, nodes);

    await lab.breakMembers([0]);
    const report = await retryUntil({
      attempt: () => sandboxStatusOf({ dir: lab.dir }),
      done: (result) =>
        /etcd-user-cluster-1-cp1: CrashLoopBackOff, restarts [1-9]/.test(JSON.stringify(result)),
      timeoutMs: 30_000,
    });
    expect(JSON.stringify(report)).toContain('etcd-user-cluster-1-cp1: CrashLoopBackOff');
    // The only member is gone: the API server is up but cannot reach its storage.
    const failing = await kubectl(lab, ['get', 'configmaps', '-n', 'kube-system']);
    expect(failing.exitCode).not.toBe(0);
    expect(failing.stderr).not.toContain('connection refused');
  });

  it('down leaves no process, namespace, link, mount or file behind, and the host /etc untouched', async () => {
    const before = hostFingerprint();
    await using lab = await startSandbox({
      topology: 'controlplane-v2',
      dir: await labDir(),
      attached: true,
    });
    const footprint = await readLabFootprint(lab.dir);
    const result = await stopSandbox({ dir: lab.dir });
    expect(result.found).toBe(true);
    await expectNothingLeft(footprint);
    expect(hostFingerprint()).toEqual(before);
  });
});
