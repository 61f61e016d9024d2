import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClusterConfig, connectKube, loadClusterConfig } from '@etcd-dr/sdk';
import { controlPlaneLayout, readLiveInventory, runNativeChecks } from '@etcd-dr/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../packages/cli/src/test-support/run-cli.js';
import { runKubectl } from '../packages/sandbox/src/apiserver/test-support/run-kubectl.js';
import { waitFor } from '../packages/sandbox/src/apiserver/test-support/start-test-api-server.js';
import { type Sandbox, startSandbox } from '../packages/sandbox/src/lab/start-sandbox.js';

const nodes = ['user-cluster-1-cp1', 'user-cluster-1-cp2', 'user-cluster-1-cp3'];

describe('native checks on a Controlplane V2 lab (HA): three members, then one broken', () => {
  let base: string;
  let lab: Sandbox;
  let config: ClusterConfig;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-verify-cpv2-'));
    lab = await startSandbox({
      topology: 'controlplane-v2',
      ha: true,
      dir: join(base, 'lab'),
      attached: true,
    });
    config = await loadClusterConfig({ path: lab.config });
  });
  afterAll(async () => {
    await lab?.stop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('finds three healthy members that agree, detecting the topology from the OnPremUserCluster', async () => {
    const native = await runNativeChecks({
      config: { ...config, userCluster: { ...config.userCluster, topology: 'auto' } },
    });
    expect(native.checks.map((check) => [check.name, check.outcome])).toEqual([
      ['etcd-members-healthy', 'passed'],
      ['etcd-members-agree', 'passed'],
      ['control-plane-pods-ready', 'passed'],
      ['user-api-answers', 'passed'],
    ]);
    expect(native.cluster).toEqual({ name: 'user-cluster-1', topology: 'controlplane-v2', ha: true });
    expect(native.members.map((member) => member.pod)).toEqual(nodes.map((node) => `etcd-${node}`));
    expect(new Set(native.members.map((member) => member.clusterId)).size).toBe(1);
    expect(new Set(native.members.map((member) => member.memberId)).size).toBe(3);
    expect(native.members.filter((member) => member.isLeader)).toHaveLength(1);
    expect(native.checks[0]?.reasons).toEqual(['3 of 3 member(s) healthy']);
    expect(native.checks[2]?.reasons[0]).toMatch(
      /^6 pod\(s\) Ready in namespace kube-system of the user cluster/,
    );
  });

  it('counts the live keys in a member as the API lists the objects', async () => {
    const created = await runKubectl({
      kubeconfig: lab.userKubeconfig,
      args: ['create', 'configmap', 'counted', '--from-literal=a=1'],
    });
    expect(created.exitCode).toBe(0);
    const layout = controlPlaneLayout({ topology: 'controlplane-v2', clusterName: 'user-cluster-1' });
    const live = await readLiveInventory({
      kube: await connectKube({ kubeconfigPath: config.userCluster.kubeconfig }),
      namespace: 'kube-system',
      pod: `etcd-${nodes[1]}`,
      container: layout.etcdContainer,
      certificates: layout.certificates,
    });
    const listed = await runKubectl({
      kubeconfig: lab.userKubeconfig,
      args: ['get', 'configmaps', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}{"\\n"}{end}'],
    });
    const perNamespace: Record<string, number> = {};
    for (const namespace of listed.stdout.trim().split('\n'))
      perNamespace[namespace] = (perNamespace[namespace] ?? 0) + 1;
    expect(live.resources.find((resource) => resource.resource === 'configmaps')?.namespaces).toEqual(
      perNamespace,
    );
    expect(live.resources.find((resource) => resource.resource === 'minions')?.clusterScoped).toBe(3);
    expect(live.pod).toBe(`etcd-${nodes[1]}`);
  });

  it('names the broken member while the other two keep quorum and the API answers; verify exits 1', async () => {
    await lab.breakMembers([0]);
    const native = await waitFor(
      async () => {
        const checked = await runNativeChecks({ config, requestTimeoutMs: 5_000 });
        return checked.checks[0]?.outcome === 'failed' && checked.checks[2]?.outcome === 'failed'
          ? checked
          : undefined;
      },
      60_000,
      'the broken member to show',
    );
    expect(native.healthy).toBe(false);
    expect(native.checks[0]?.reasons[0]).toBe('2 of 3 member(s) healthy');
    expect(native.checks[0]?.reasons[1]).toMatch(new RegExp(`^etcd-${nodes[0]}: `));
    expect(native.checks[2]?.reasons).toEqual([
      expect.stringMatching(new RegExp(`^etcd-${nodes[0]} is not Ready`)),
    ]);
    expect(native.checks[1]).toMatchObject({ name: 'etcd-members-agree', outcome: 'passed' });
    expect(native.checks[3]).toMatchObject({ name: 'user-api-answers', outcome: 'passed' });
    expect(native.members.map((member) => [member.pod, member.healthy])).toEqual([
      [`etcd-${nodes[0]}`, false],
      [`etcd-${nodes[1]}`, true],
      [`etcd-${nodes[2]}`, true],
    ]);

    const result = await runCli([
      'verify',
      '--config',
      lab.config,
      '--gkectl',
      join(lab.dir, 'bin', 'gkectl'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^user-cluster-1 \(controlplane-v2, HA\): UNHEALTHY\n/);
    expect(result.stdout).toMatch(/ {2}FAIL {2}gkectl-diagnose +gkectl printed "Cluster is unhealthy!"/);
    expect(result.stdout).toMatch(/ {2}PASS {2}user-api-answers/);
  });
});
