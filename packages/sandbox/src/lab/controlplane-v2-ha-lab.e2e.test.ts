import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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
  ssh,
} from './testing/controlplane-v2-checks.js';
import { retryUntil } from './testing/run-tool.js';

const parents: string[] = [];
afterEach(async () => {
  for (const parent of parents.splice(0)) await rm(parent, { recursive: true, force: true });
});

describe('an HA Controlplane V2 lab behind a jump host', () => {
  it('serves backups through the jump host only, survives one broken member, loses quorum with two, and leaves nothing', async () => {
    const before = hostFingerprint();
    const parent = await mkdtemp(join(tmpdir(), 'edr-cpv2-ha-'));
    parents.push(parent);
    let footprint: Awaited<ReturnType<typeof readLabFootprint>> | undefined;
    {
      await using lab = await startSandbox({
        topology: 'controlplane-v2',
        ha: true,
        jumpHost: true,
        dir: join(parent, 'lab'),
        attached: true,
      });
      footprint = await readLabFootprint(lab.dir);
      const nodes = await readLabNodes(lab);
      const names = nodes.controlPlaneNodes.map((node) => node.name);
      expect(names).toEqual(['user-cluster-1-cp1', 'user-cluster-1-cp2', 'user-cluster-1-cp3']);
      expect(nodes.jumpHost?.name).toBe('jump-host');

      // Every member lists every node as a peer on its own address.
      const manifest = await ssh(lab, names[1]!, 'sudo -n cat /etc/kubernetes/manifests/etcd.yaml');
      expect(manifest.stdout.toString()).toContain(
        `--initial-cluster=${nodes.controlPlaneNodes.map((node) => `${node.name}=https://${node.address}:2380`).join(',')}`,
      );
      await checkBackupSteps(lab, nodes);

      // Direct logins are refused; through the jump host they work, admin-cp included.
      for (const node of [...names, 'admin-cp']) {
        const direct = await ssh(lab, node, 'true', ['-o', 'ProxyJump=none']);
        expect(direct.exitCode).toBe(255);
        expect(direct.stderr).toContain('Permission denied');
      }

      await checkApiserverManifests(lab, nodes);

      await lab.breakMembers([0]);
      const crashLoop = await retryUntil({
        attempt: () =>
          kubectl(lab, ['get', 'pods', '-n', 'kube-system', '-l', 'component=etcd,tier=control-plane']),
        done: (result) =>
          /etcd-user-cluster-1-cp1\s+0\/1\s+CrashLoopBackOff\s+[1-9]/.test(result.stdout.toString()),
        timeoutMs: 30_000,
      });
      const rows = crashLoop.stdout.toString();
      expect(rows).toMatch(/etcd-user-cluster-1-cp1\s+0\/1\s+CrashLoopBackOff\s+[1-9]/);
      expect(rows).toMatch(/etcd-user-cluster-1-cp2\s+1\/1\s+Running\s+0/);
      expect(rows).toMatch(/etcd-user-cluster-1-cp3\s+1\/1\s+Running\s+0/);

      await lab.breakMembers([1]);
      const noQuorum = await retryUntil({
        attempt: () => kubectl(lab, ['create', 'configmap', 'after-break', '-n', 'default']),
        done: (result) => result.exitCode !== 0,
        timeoutMs: 30_000,
      });
      expect(noQuorum.exitCode).not.toBe(0);

      await stopSandbox({ dir: lab.dir });
    }
    await expectNothingLeft(footprint!);
    expect(hostFingerprint()).toEqual(before);
  });
});
