import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../packages/sandbox/src/lab/start-sandbox.js';
import { retryUntil } from '../packages/sandbox/src/lab/testing/run-tool.js';
import type { ClusterConfig } from '../packages/sdk/src/cluster/cluster-config.js';
import {
  gatherControlplaneV2Facts,
  planControlplaneV2Restore,
  type RestoredMember,
} from '../packages/sdk/src/restore/controlplane-v2/index.js';
import {
  applySteps,
  configMapNames,
  diagnose,
  etcdctlCerts,
  onNode,
  openLab,
  type sshPool,
  stepContext,
  undoSteps,
  userKubectl,
  writeTestBundle,
} from './controlplane-v2-restore-support.js';

const brokenApi = async (lab: Sandbox) => {
  const result = await retryUntil({
    attempt: () => userKubectl(lab, ['get', 'configmaps', '--request-timeout=5s']),
    done: (outcome) => outcome.exitCode !== 0,
    timeoutMs: 60_000,
  });
  expect(result.exitCode).not.toBe(0);
};

/** Revision of every member as etcdctl in its own pod reports it, through the real kubectl. */
async function memberRevisions(lab: Sandbox, config: ClusterConfig): Promise<number[]> {
  const revisions: number[] = [];
  for (const node of config.userCluster.controlPlaneNodes) {
    const status = await retryUntil({
      attempt: () =>
        userKubectl(lab, [
          'exec',
          '-n',
          'kube-system',
          `etcd-${node.name}`,
          '-c',
          'etcd',
          '--',
          'etcdctl',
          ...etcdctlCerts,
          'endpoint',
          'status',
          '-w',
          'json',
        ]),
      done: (outcome) => outcome.exitCode === 0,
      timeoutMs: 60_000,
    });
    expect(status.exitCode).toBe(0);
    revisions.push(Number(/"revision":(\d+)/.exec(status.stdout)?.[1]));
  }
  return revisions;
}

describe('Controlplane V2 non-HA restore through the controlplane-v2.* steps (real ssh, sudo, docker stand-in, kubectl)', () => {
  let base: string;
  let lab: Sandbox;
  let config: ClusterConfig;
  let pool: ReturnType<typeof sshPool>;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ base, lab, config, pool, close } = await openLab({
      prefix: 'edr-cpv2-restore-steps-',
      ha: false,
      jumpHost: false,
    }));
  });
  afterAll(async () => {
    await close?.();
  });

  it('brings back `before` and not `after` with every step applied twice, puts back only the missing PKI, and cleans the node', async () => {
    const node = config.userCluster.controlPlaneNodes[0]!.name;
    expect((await userKubectl(lab, ['create', 'configmap', 'before', '--from-literal=a=1'])).exitCode).toBe(
      0,
    );
    const { bundle, identity, revision } = await writeTestBundle({
      lab,
      config,
      pool,
      directory: join(base, 'bundle'),
    });
    expect((await userKubectl(lab, ['create', 'configmap', 'after', '--from-literal=b=2'])).exitCode).toBe(0);

    // A node that lost two PKI files (etcd still runs with them loaded) and keeps the others as they are.
    const pkiBefore = await onNode(
      pool,
      node,
      'cd /etc/kubernetes/pki && stat -c "%n %a %U %Y" etcd/* && sha256sum etcd/peer.key etcd/healthcheck-client.crt',
    );
    await onNode(
      pool,
      node,
      'rm /etc/kubernetes/pki/etcd/peer.key /etc/kubernetes/pki/etcd/healthcheck-client.crt',
    );
    await lab.breakMembers([0]);
    await brokenApi(lab);

    const facts = await gatherControlplaneV2Facts({ config, ssh: pool.ssh });
    expect(facts.nodes[0]).toMatchObject({
      name: node,
      missingPki: ['etcd/peer.key', 'etcd/healthcheck-client.crt'],
      hasDocker: true,
      kubeApiserverManifest: 'manifests',
      etcdManifest: { location: 'manifests' },
    });
    const steps = planControlplaneV2Restore({
      manifest: bundle.manifest,
      facts,
      etcdUtilImage: config.etcdUtilImage!,
      healthTimeoutMs: 120_000,
    });
    expect(steps.map((step) => step.kind)).toContain('controlplane-v2.restore-pki');
    const outputs: Record<string, Record<string, unknown>> = {};
    const context = stepContext({ config, bundle, identity, pool, workDirectory: base, outputs });
    await applySteps({ steps, context, twice: true });

    const names = await configMapNames(lab);
    expect(names).toContain('before');
    expect(names).not.toContain('after');
    const members = outputs['controlplane-v2:wait-healthy']!.members as RestoredMember[];
    expect(members).toHaveLength(1);
    expect(members[0]).toMatchObject({ name: node, node, healthy: true });
    expect(members[0]!.revision).toBeGreaterThanOrEqual(revision);
    for (const live of await memberRevisions(lab, config)) expect(live).toBeGreaterThanOrEqual(revision);
    const verdict = await diagnose(lab, base);
    expect(verdict.stdout.toString()).toContain('Cluster is healthy!');

    // The missing files came back with the archive's content, mode and time; the others were not touched.
    expect(
      await onNode(
        pool,
        node,
        'cd /etc/kubernetes/pki && stat -c "%n %a %U %Y" etcd/* && sha256sum etcd/peer.key etcd/healthcheck-client.crt',
      ),
    ).toBe(pkiBefore);
    // Nothing of the restore is left: no snapshot, no old member, no aside folder; etcd.yaml says new.
    expect(
      await onNode(
        pool,
        node,
        'ls -A /opt/data/var/lib; ls -A /etc/kubernetes; ls -A /etc/kubernetes/manifests',
      ),
    ).toBe('etcd\nmanifests\npki\netcd.yaml\nkube-apiserver.yaml\n');
    expect(
      await onNode(
        pool,
        node,
        'grep -c -- "- --initial-cluster-state=new" /etc/kubernetes/manifests/etcd.yaml',
      ),
    ).toBe('1\n');
    expect(
      await onNode(
        pool,
        node,
        'stat -c %a /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/manifests/kube-apiserver.yaml',
      ),
    ).toBe('600\n600\n');
  });

  it('a run killed mid-step is repeated, then undo of every change step leaves the node as it was: same manifests, same member directory, the data since kept', async () => {
    const node = config.userCluster.controlPlaneNodes[0]!.name;
    const { bundle, identity } = await writeTestBundle({
      lab,
      config,
      pool,
      directory: join(base, 'bundle-undo'),
    });
    expect((await userKubectl(lab, ['create', 'configmap', 'kept', '--from-literal=c=3'])).exitCode).toBe(0);
    const fingerprint = () =>
      onNode(
        pool,
        node,
        'cd /etc/kubernetes && sha256sum manifests/*; stat -c "%n %a %i" manifests/* /opt/data/var/lib/etcd /opt/data/var/lib/etcd/member /opt/data/var/lib/etcd/member/wal; ls -A /opt/data/var/lib /etc/kubernetes',
      );
    const before = await fingerprint();

    const facts = await gatherControlplaneV2Facts({ config, ssh: pool.ssh });
    const steps = planControlplaneV2Restore({
      manifest: bundle.manifest,
      facts,
      etcdUtilImage: config.etcdUtilImage!,
      healthTimeoutMs: 120_000,
    });
    const changing = steps.filter((step) =>
      ['upload-snapshot', 'stop-control-plane', 'restore-member', 'swap-data', 'start-control-plane'].some(
        (kind) => step.kind === `controlplane-v2.${kind}`,
      ),
    );
    expect(changing).toHaveLength(5);
    const context = stepContext({ config, bundle, identity, pool, workDirectory: base, outputs: {} });
    // The run is killed while stop-control-plane waits for etcd to go; the next run repeats the step.
    await applySteps({ steps: changing.slice(0, 1), context });
    const killed = new AbortController();
    const killedContext = stepContext({
      config,
      bundle,
      identity,
      pool,
      workDirectory: base,
      outputs: {},
      signal: killed.signal,
      // Killed once the manifests are aside and the step waits for etcd to stop.
      onProgress: (event) => {
        if (event.message.startsWith('waiting for etcd')) killed.abort();
      },
    });
    await expect(applySteps({ steps: changing.slice(1, 2), context: killedContext })).rejects.toThrow();
    expect(await onNode(pool, node, 'ls -A /etc/kubernetes/manifests')).toBe('');
    await applySteps({ steps: changing, context });
    // The restored member runs now: the data of `kept` is gone from the API until the undo.
    expect(await configMapNames(lab)).not.toContain('kept');
    await undoSteps({ steps: changing, context });
    // Undo twice: nothing left to put back, nothing breaks.
    await undoSteps({ steps: changing, context });

    expect(await fingerprint()).toBe(before);
    const names = await configMapNames(lab);
    expect(names).toContain('kept');
    expect(names).toContain('before');
    const verdict = await diagnose(lab, base);
    expect(verdict.stdout.toString()).toContain('Cluster is healthy!');
  });
  it('a failing step says where things stand, and undoing what ran brings the cluster back', async () => {
    const node = config.userCluster.controlPlaneNodes[0]!.name;
    const { bundle, identity } = await writeTestBundle({
      lab,
      config,
      pool,
      directory: join(base, 'bundle-fail'),
    });
    expect((await userKubectl(lab, ['create', 'configmap', 'kept-too', '--from-literal=d=4'])).exitCode).toBe(
      0,
    );
    const facts = await gatherControlplaneV2Facts({ config, ssh: pool.ssh });
    // An image the node cannot pull: docker fails the restore the way a wrong etcdUtilImage would.
    const steps = planControlplaneV2Restore({
      manifest: bundle.manifest,
      facts,
      etcdUtilImage: 'gcr.io/gke-on-prem-release/etcd-utility:0.0.0',
    });
    const context = stepContext({ config, bundle, identity, pool, workDirectory: base, outputs: {} });
    const attempted: typeof steps = [];
    let failure: unknown;
    for (const step of steps) {
      attempted.push(step);
      try {
        await applySteps({ steps: [step], context });
      } catch (error) {
        failure = error;
        break;
      }
    }
    expect(attempted.at(-1)!.kind).toBe('controlplane-v2.restore-member');
    expect(failure).toMatchObject({
      code: 'CPV2_RESTORE_COMMAND_FAILED',
      node,
      step: `controlplane-v2:restore-member:${node}`,
    });
    expect((failure as Error).message).toContain('pull access denied');
    expect((failure as Error).message).toContain(`on node ${node}`);
    await undoSteps({ steps: attempted, context });
    const names = await configMapNames(lab);
    expect(names).toContain('kept-too');
    expect(await onNode(pool, node, 'ls -A /opt/data/var/lib /etc/kubernetes')).toBe(
      '/etc/kubernetes:\nmanifests\npki\n\n/opt/data/var/lib:\netcd\n',
    );
  });
});

describe('Controlplane V2 HA restore through a jump host, two of three members broken', () => {
  let base: string;
  let lab: Sandbox;
  let config: ClusterConfig;
  let pool: ReturnType<typeof sshPool>;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ base, lab, config, pool, close } = await openLab({
      prefix: 'edr-cpv2-restore-ha-',
      ha: true,
      jumpHost: true,
    }));
  });
  afterAll(async () => {
    await close?.();
  });

  it('restores all three members in parallel groups: `before` and not `after`, every member healthy at the snapshot revision or later', async () => {
    expect(config.jumpHost).toBeDefined();
    expect((await userKubectl(lab, ['create', 'configmap', 'before', '--from-literal=a=1'])).exitCode).toBe(
      0,
    );
    const { bundle, identity, revision } = await writeTestBundle({
      lab,
      config,
      pool,
      directory: join(base, 'bundle'),
    });
    expect((await userKubectl(lab, ['create', 'configmap', 'after', '--from-literal=b=2'])).exitCode).toBe(0);
    await lab.breakMembers([0, 1]);
    await brokenApi(lab);

    const facts = await gatherControlplaneV2Facts({ config, ssh: pool.ssh });
    const steps = planControlplaneV2Restore({
      manifest: bundle.manifest,
      facts,
      etcdUtilImage: config.etcdUtilImage!,
      healthTimeoutMs: 180_000,
    });
    expect(steps.filter((step) => step.kind === 'controlplane-v2.restore-pki')).toEqual([]);
    const outputs: Record<string, Record<string, unknown>> = {};
    const context = stepContext({ config, bundle, identity, pool, workDirectory: base, outputs });
    // Run each parallel group at once, as the engine may.
    for (let index = 0; index < steps.length; ) {
      const group = steps[index]!.parallelGroup;
      let end = index + 1;
      while (group && end < steps.length && steps[end]!.parallelGroup === group) end++;
      await Promise.all(steps.slice(index, end).map((step) => applySteps({ steps: [step], context })));
      index = end;
    }

    const names = await configMapNames(lab);
    expect(names).toContain('before');
    expect(names).not.toContain('after');
    const members = outputs['controlplane-v2:wait-healthy']!.members as RestoredMember[];
    expect(members.map((member) => member.name)).toEqual(
      config.userCluster.controlPlaneNodes.map((node) => node.name),
    );
    expect(new Set(members.map((member) => member.clusterId)).size).toBe(1);
    for (const member of members) expect(member.revision).toBeGreaterThanOrEqual(revision);
    for (const live of await memberRevisions(lab, config)) expect(live).toBeGreaterThanOrEqual(revision);
    const verdict = await diagnose(lab, base);
    expect(verdict.stdout.toString()).toContain('Cluster is healthy!');
  });
});
