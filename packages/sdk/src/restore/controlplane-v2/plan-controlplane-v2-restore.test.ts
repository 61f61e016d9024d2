import { describe, expect, it } from 'vitest';
import type { BundleManifest } from '../../bundle/bundle-manifest.js';
import { EtcdDrError } from '../../errors/etcd-dr-error.js';
import type { ControlplaneV2Facts, ControlplaneV2NodeFacts } from './controlplane-v2-facts.js';
import type { RestoreMemberParams, UploadSnapshotParams, WaitHealthyParams } from './node-step-params.js';
import { planControlplaneV2Restore } from './plan-controlplane-v2-restore.js';

const image = 'gcr.io/gke-on-prem-release/etcd-util:1.28.400-gke.75';
const nodeNames = ['uc-cp1', 'uc-cp2', 'uc-cp3'];
const ip = (index: number) => `10.0.0.${11 + index}`;

function etcdYaml(options: { index: number; count: number; token?: string; dataPath?: string }): string {
  const { index } = options;
  const cluster = nodeNames
    .slice(0, options.count)
    .map((name, position) => `${name}=https://${ip(position)}:2380`)
    .join(',');
  return `apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: kube-system
spec:
  containers:
  - command:
    - etcd
    - --advertise-client-urls=https://${ip(index)}:2379
    - --data-dir=/var/lib/etcd
    - --initial-advertise-peer-urls=https://${ip(index)}:2380
    - --initial-cluster=${cluster}
${options.token ? `    - --initial-cluster-token=${options.token}\n` : ''}    - --name=${nodeNames[index]}
    image: gcr.io/gke-on-prem-release/etcd:v3.4.27-0-gke.1
    name: etcd
    volumeMounts:
    - mountPath: /var/lib/etcd
      name: etcd-data
  hostNetwork: true
  volumes:
  - hostPath:
      path: ${options.dataPath ?? '/opt/data/var/lib/etcd'}
      type: DirectoryOrCreate
    name: etcd-data
`;
}

function nodeFacts(
  index: number,
  count: number,
  extra: Partial<ControlplaneV2NodeFacts> = {},
): ControlplaneV2NodeFacts {
  return {
    name: nodeNames[index]!,
    address: ip(index),
    user: 'ubuntu',
    etcdManifest: { location: 'manifests', text: etcdYaml({ index, count }) },
    kubeApiserverManifest: 'manifests',
    missingPki: [],
    availableBytes: 10 * 1024 ** 3,
    hasDocker: true,
    ...extra,
  };
}

function bundleManifest(options: { count: number; encrypted?: boolean; version?: string }): BundleManifest {
  const suffix = options.encrypted ? '.age' : '';
  return {
    formatVersion: 1,
    tool: { name: 'etcd-dr', version: '0.1.0' },
    createdAt: '2026-11-26T14:00:00.000Z',
    cluster: {
      name: 'user-cluster-1',
      topology: 'controlplane-v2',
      ha: options.count > 1,
      members: nodeNames.slice(0, options.count).map((name, index) => ({
        name,
        peerUrl: `https://${ip(index)}:2380`,
        node: name,
      })),
    },
    etcd: { version: options.version ?? '3.4.27' },
    snapshot: { revision: 4242, totalKeys: 310, hash: 'hashed' },
    files: [
      {
        path: `snapshot.db${suffix}`,
        role: 'snapshot',
        size: 50 * 1024 * 1024,
        sha256: 'a'.repeat(64),
        encryption: options.encrypted ? 'age' : 'none',
      },
      ...nodeNames.slice(0, options.count).map((name) => ({
        path: `pki/${name}.tar${suffix}`,
        role: 'pki' as const,
        node: name,
        size: 20480,
        sha256: 'b'.repeat(64),
        encryption: (options.encrypted ? 'age' : 'none') as 'age' | 'none',
      })),
    ],
    hostKeys: {},
  };
}

function facts(
  count: number,
  change: (node: ControlplaneV2NodeFacts) => ControlplaneV2NodeFacts = (node) => node,
): ControlplaneV2Facts {
  return { nodes: nodeNames.slice(0, count).map((_, index) => change(nodeFacts(index, count))) };
}

function planError(run: () => unknown): EtcdDrError {
  try {
    run();
  } catch (error) {
    if (EtcdDrError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the planner to throw');
}

describe('planControlplaneV2Restore', () => {
  it('plans a non-HA restore as the runbook orders it, with the snapshot uploaded before the outage', () => {
    const steps = planControlplaneV2Restore({
      manifest: bundleManifest({ count: 1 }),
      facts: facts(1),
      etcdUtilImage: image,
    });
    expect(steps.map((step) => step.id)).toEqual([
      'controlplane-v2:upload-snapshot:uc-cp1',
      'controlplane-v2:stop-control-plane:uc-cp1',
      'controlplane-v2:restore-member:uc-cp1',
      'controlplane-v2:swap-data:uc-cp1',
      'controlplane-v2:start-control-plane:uc-cp1',
      'controlplane-v2:wait-healthy',
      'controlplane-v2:cleanup:uc-cp1',
    ]);
    const restore = steps[2]!;
    const params = restore.params as unknown as RestoreMemberParams;
    expect(params).toMatchObject({
      node: 'uc-cp1',
      dataHostPath: '/opt/data/var/lib/etcd',
      stagingDirectory: '/opt/data/var/lib/etcd-dr-restore',
      asideDirectory: '/etc/kubernetes/etcd-dr-restore',
      memberName: 'uc-cp1',
      peerUrl: 'https://10.0.0.11:2380',
      initialCluster: 'uc-cp1=https://10.0.0.11:2380',
      initialClusterToken: 'etcd-cluster',
      tool: 'etcdctl',
      skipHashCheck: true,
      image,
    });
    // The docker command mounts the staging folder at its own path, so --data-dir is on the node.
    expect(restore.commands.join('\n')).toContain(
      '-v /opt/data/var/lib/etcd-dr-restore:/opt/data/var/lib/etcd-dr-restore --env ETCDCTL_API=3',
    );
    expect(restore.commands.join('\n')).toContain('--data-dir=/opt/data/var/lib/etcd-dr-restore/restored');
    expect(restore.departsFromRunbook).toContain('not a mount inside the container');
    // etcdctl does not hash the snapshot again: the upload step checked the node's copy against the bundle.
    expect(restore.commands.join('\n')).toMatch(/ --skip-hash-check'$/);
    expect(restore.departsFromRunbook).toContain(
      "It restores with --skip-hash-check: the snapshot's own trailing hash was checked when it was taken, the bundle's SHA-256 in pre-flight, and each node's copy against the bundle's SHA-256 of the snapshot in the upload step",
    );
    expect(steps[0]!.description).toContain(
      "compares the SHA-256 sha256sum computes on the node with the bundle's SHA-256 of the snapshot; a copy that differs is removed",
    );
    expect(steps[4]!.departsFromRunbook).toBeUndefined();
    for (const step of steps) {
      expect(step.title).not.toBe('');
      expect(step.description).not.toBe('');
      expect(step.commands.length).toBeGreaterThan(0);
      expect(
        step.commands.every(
          (command) =>
            command.startsWith('ssh ubuntu@10.0.0.11') ||
            command.startsWith('kubectl') ||
            command.includes('| ssh ubuntu@10.0.0.11'),
        ),
      ).toBe(true);
    }
    expect(steps.filter((step) => step.undo).map((step) => step.kind)).toEqual([
      'controlplane-v2.upload-snapshot',
      'controlplane-v2.stop-control-plane',
      'controlplane-v2.restore-member',
      'controlplane-v2.swap-data',
      'controlplane-v2.start-control-plane',
    ]);
    // The plan is JSON: what --plan prints is what --yes runs.
    expect(JSON.parse(JSON.stringify(steps))).toEqual(steps);
  });

  it('plans HA with one step per node in each phase, adjacent and sharing a parallel group', () => {
    const steps = planControlplaneV2Restore({
      manifest: bundleManifest({ count: 3 }),
      facts: facts(3),
      etcdUtilImage: image,
    });
    const phases = steps.map((step) => step.parallelGroup ?? step.id);
    const groups = [...new Set(phases)];
    expect(groups).toEqual([
      'controlplane-v2:upload-snapshot',
      'controlplane-v2:stop-control-plane',
      'controlplane-v2:restore-member',
      'controlplane-v2:swap-data',
      'controlplane-v2:start-control-plane',
      'controlplane-v2:wait-healthy',
      'controlplane-v2:cleanup',
    ]);
    for (const group of groups.filter((group) => group !== 'controlplane-v2:wait-healthy')) {
      const members = steps.filter((step) => step.parallelGroup === group);
      expect(members.map((step) => (step.params as { node: string }).node)).toEqual(nodeNames);
      const first = steps.indexOf(members[0]!);
      expect(steps.slice(first, first + 3)).toEqual(members);
    }
    const restores = steps
      .filter((step) => step.kind === 'controlplane-v2.restore-member')
      .map((step) => step.params as unknown as RestoreMemberParams);
    const cluster =
      'uc-cp1=https://10.0.0.11:2380,uc-cp2=https://10.0.0.12:2380,uc-cp3=https://10.0.0.13:2380';
    expect(restores.map((params) => [params.memberName, params.peerUrl, params.initialCluster])).toEqual([
      ['uc-cp1', 'https://10.0.0.11:2380', cluster],
      ['uc-cp2', 'https://10.0.0.12:2380', cluster],
      ['uc-cp3', 'https://10.0.0.13:2380', cluster],
    ]);
    const start = steps.find((step) => step.kind === 'controlplane-v2.start-control-plane')!;
    expect(start.departsFromRunbook).toContain('--initial-cluster-state=existing');
    const wait = steps.find((step) => step.kind === 'controlplane-v2.wait-healthy')!
      .params as unknown as WaitHealthyParams;
    expect(wait).toMatchObject({ revision: 4242, checkApi: true });
    expect(wait.members.map((member) => member.clientUrl)).toEqual([
      'https://10.0.0.11:2379',
      'https://10.0.0.12:2379',
      'https://10.0.0.13:2379',
    ]);
  });

  it('uses the manifest token, etcdutl for etcd 3.5+, the encrypted file, and says why an unhashed one skips the hash check', () => {
    const manifest = bundleManifest({ count: 3, encrypted: true, version: '3.5.16' });
    manifest.snapshot.hash = 'unhashed';
    const withToken = facts(3, (node) => ({
      ...node,
      etcdManifest: {
        location: 'manifests',
        text: etcdYaml({ index: nodeNames.indexOf(node.name), count: 3, token: 'tok-1' }),
      },
    }));
    const steps = planControlplaneV2Restore({ manifest, facts: withToken, etcdUtilImage: image });
    const restore = steps.find((step) => step.kind === 'controlplane-v2.restore-member')!;
    expect(restore.params).toMatchObject({
      tool: 'etcdutl',
      initialClusterToken: 'tok-1',
      skipHashCheck: true,
    });
    expect(restore.commands.join('\n')).toContain(`${image} etcdutl snapshot restore`);
    expect(restore.commands.join('\n')).not.toContain('ETCDCTL_API');
    expect(restore.departsFromRunbook).toContain(
      "It restores with --skip-hash-check, which a copied db file without etcd's trailing hash needs anyway",
    );
    expect(restore.departsFromRunbook).toContain('age authenticates every chunk of the bundle file');
    expect(steps[0]!.description).toContain('with the SHA-256 of the decrypted stream');
    const upload = steps[0]!.params as unknown as UploadSnapshotParams;
    expect(upload).toMatchObject({
      bundleFile: 'snapshot.db.age',
      encryption: 'age',
      requiredBytes: 228 * 1024 * 1024,
    });
  });

  it('puts back PKI only on the node that lacks it, from that node archive', () => {
    const steps = planControlplaneV2Restore({
      manifest: bundleManifest({ count: 3 }),
      facts: facts(3, (node) => (node.name === 'uc-cp2' ? { ...node, missingPki: ['etcd/peer.key'] } : node)),
      etcdUtilImage: image,
    });
    const pki = steps.filter((step) => step.kind === 'controlplane-v2.restore-pki');
    expect(pki.map((step) => step.params)).toMatchObject([
      { node: 'uc-cp2', bundleFile: 'pki/uc-cp2.tar', missing: ['etcd/peer.key'] },
    ]);
    expect(steps.indexOf(pki[0]!)).toBeLessThan(
      steps.findIndex((step) => step.kind === 'controlplane-v2.stop-control-plane'),
    );
    expect(pki[0]!.commands.join('\n')).toContain('--skip-old-files');
  });

  it('follows a kubeadm data path and an etcd.yaml already moved aside by an interrupted run', () => {
    const steps = planControlplaneV2Restore({
      manifest: bundleManifest({ count: 1 }),
      facts: facts(1, (node) => ({
        ...node,
        etcdManifest: {
          location: 'aside',
          text: etcdYaml({ index: 0, count: 1, dataPath: '/var/lib/etcd' }),
        },
        kubeApiserverManifest: 'aside',
      })),
      etcdUtilImage: image,
    });
    expect(steps.find((step) => step.kind === 'controlplane-v2.swap-data')!.params).toMatchObject({
      dataHostPath: '/var/lib/etcd',
      stagingDirectory: '/var/lib/etcd-dr-restore',
    });
    expect(steps.find((step) => step.kind === 'controlplane-v2.stop-control-plane')!.params).toMatchObject({
      manifests: ['kube-apiserver.yaml', 'etcd.yaml'],
      ports: [2379, 2380],
    });
  });

  it('refuses what it cannot restore, saying where and what to do', () => {
    const manifest = bundleManifest({ count: 3 });
    const cases: Array<[string, () => unknown, RegExp]> = [
      [
        'CPV2_RESTORE_PLAN_INVALID',
        () =>
          planControlplaneV2Restore({
            manifest: { ...manifest, cluster: { ...manifest.cluster, topology: 'kubeception' } },
            facts: facts(3),
            etcdUtilImage: image,
          }),
        /kubeception backup of user-cluster-1/,
      ],
      [
        'CPV2_RESTORE_PLAN_INVALID',
        () =>
          planControlplaneV2Restore({
            manifest,
            facts: facts(
              3,
              (node) =>
                (node.name === 'uc-cp3'
                  ? { ...node, etcdManifest: undefined }
                  : node) as ControlplaneV2NodeFacts,
            ),
            etcdUtilImage: image,
          }),
        /node uc-cp3 has no etcd.yaml/,
      ],
      [
        'CPV2_RESTORE_PLAN_INVALID',
        () =>
          planControlplaneV2Restore({
            manifest: bundleManifest({ count: 1 }),
            facts: facts(3),
            etcdUtilImage: image,
          }),
        /bundle has 1 etcd members, the live cluster 3/,
      ],
      [
        'CPV2_RESTORE_PLAN_INVALID',
        () =>
          planControlplaneV2Restore({
            manifest,
            facts: facts(3, (node) =>
              node.name === 'uc-cp2'
                ? { ...node, etcdManifest: { location: 'manifests', text: etcdYaml({ index: 1, count: 2 }) } }
                : node,
            ),
            etcdUtilImage: image,
          }),
        /node uc-cp2's etcd.yaml has --initial-cluster=/,
      ],
      [
        'CPV2_RESTORE_NODE_NOT_READY',
        () =>
          planControlplaneV2Restore({
            manifest,
            facts: facts(3, (node) =>
              node.name === 'uc-cp1' ? { ...node, availableBytes: 100 * 1024 * 1024 } : node,
            ),
            etcdUtilImage: image,
          }),
        /node uc-cp1 has 100 MiB free beside its etcd data directory, the restore needs 228 MiB/,
      ],
      [
        'CPV2_RESTORE_NODE_NOT_READY',
        () =>
          planControlplaneV2Restore({
            manifest,
            facts: facts(3, (node) => ({ ...node, hasDocker: node.name !== 'uc-cp2' })),
            etcdUtilImage: image,
          }),
        /node uc-cp2 has no docker/,
      ],
      [
        'CPV2_RESTORE_NODE_NOT_READY',
        () =>
          planControlplaneV2Restore({
            manifest: { ...manifest, files: manifest.files.filter((file) => file.role !== 'pki') },
            facts: facts(3, (node) =>
              node.name === 'uc-cp3' ? { ...node, missingPki: ['etcd/ca.crt'] } : node,
            ),
            etcdUtilImage: image,
          }),
        /node uc-cp3 lacks \/etc\/kubernetes\/pki\/etcd\/ca.crt and the bundle holds no PKI archive of it/,
      ],
    ];
    for (const [code, run, message] of cases) {
      const error = planError(run);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(error.remedy).toBeTruthy();
    }
  });
});
