import { describe, expect, it } from 'vitest';
import { type BundleManifest, bundleManifestSchema } from '../bundle/bundle-manifest.js';
import type { RestoreMemberParams, ScaleParams } from './kubeception/plan-kubeception-restore.js';
import { planRestore, restoreIdOf } from './plan-restore.js';
import { RestoreError } from './restore-error.js';
import type { RestoreTarget } from './restore-target.js';

const peer = (ordinal: number) => `https://kube-etcd-${ordinal}.kube-etcd:2380`;

function manifest(members: number): BundleManifest {
  return bundleManifestSchema.parse({
    formatVersion: 1,
    tool: { name: 'etcd-dr', version: '0.1.0' },
    createdAt: '2026-11-26T14:00:00.000Z',
    cluster: {
      name: 'user-1',
      topology: 'kubeception',
      ha: members > 1,
      members: Array.from({ length: members }, (_, ordinal) => ({
        name: `kube-etcd-${ordinal}`,
        peerUrl: peer(ordinal),
      })),
    },
    etcd: { version: '3.4.27' },
    snapshot: { revision: 4321, totalKeys: 99, hash: 'hashed' },
    files: [
      { path: 'snapshot.db.age', role: 'snapshot', size: 10, sha256: 'a'.repeat(64), encryption: 'age' },
    ],
  });
}

function target(members: number, overrides: Partial<RestoreTarget> = {}): RestoreTarget {
  return {
    clusterName: 'user-1',
    topology: 'kubeception',
    members: Array.from({ length: members }, (_, ordinal) => ({
      name: `kube-etcd-${ordinal}`,
      peerUrl: peer(ordinal),
      node: `admin-node-${ordinal + 1}`,
    })),
    adminKubeconfig: '/lab/admin.kubeconfig',
    userKubeconfig: '/lab/user.kubeconfig',
    userApiReachable: false,
    etcdVersion: '3.4.27',
    etcdUtilImage: 'gcr.io/gke-on-prem-release/etcd-util:1.28.400-gke.75',
    etcdUtilImageSource: 'gke-master-etcd-maintenance',
    kubeception: {
      namespace: 'user-1',
      initialClusterToken: 'etcd-cluster-1',
      replicas: { kubeEtcd: members, kubeApiserver: members, etcdMaintenance: 1 },
      apiserverPdb: {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'kube-apiserver-pdb' },
      },
      certsSecret: 'kube-etcd-certs-abc123',
      pods: [],
      claims: Array.from({ length: members }, (_, ordinal) => `data-kube-etcd-${ordinal}`),
      nodes: Array.from({ length: 3 }, (_, index) => ({ name: `admin-node-${index + 1}`, ready: true })),
    },
    ...overrides,
  };
}

const createdAt = new Date('2026-11-26T17:00:00.000Z');

describe('planRestore (Kubeception)', () => {
  it('plans HA: PDB and scale-downs first, kube-etcd at 0 before any member is restored, members in parallel, then back up', () => {
    const plan = planRestore({ manifest: manifest(3), bundlePath: '/b', target: target(3), createdAt });
    expect(plan.steps.map((step) => step.id)).toEqual([
      'delete-pdb:kube-apiserver-pdb',
      'scale-down:kube-apiserver',
      'scale-down:gke-master-etcd-maintenance',
      'scale-down:kube-etcd',
      'restore-member:kube-etcd-0',
      'restore-member:kube-etcd-1',
      'restore-member:kube-etcd-2',
      'scale-up:kube-etcd',
      'wait-etcd-healthy',
      'scale-up:kube-apiserver',
      'scale-up:gke-master-etcd-maintenance',
      'create-pdb:kube-apiserver-pdb',
      'wait-control-plane',
      'remove-old-data:kube-etcd-0',
      'remove-old-data:kube-etcd-1',
      'remove-old-data:kube-etcd-2',
    ]);
    expect(plan).toMatchObject({
      kind: 'restore',
      planVersion: 1,
      cluster: { name: 'user-1', topology: 'kubeception', ha: true },
      bundle: { revision: 4321, totalKeys: 99, etcdVersion: '3.4.27' },
    });
    expect(plan.steps.filter((step) => step.parallelGroup === 'scale-down').map((step) => step.id)).toEqual([
      'scale-down:kube-apiserver',
      'scale-down:gke-master-etcd-maintenance',
    ]);
    const members = plan.steps.filter((step) => step.kind === 'kubeception.restore-member');
    expect(new Set(members.map((step) => step.parallelGroup))).toEqual(new Set(['restore-members']));
    const member1 = members[1]!.params as RestoreMemberParams;
    expect(member1).toMatchObject({
      memberName: 'kube-etcd-1',
      utilityPod: 'etcd-utility-1',
      claim: 'data-kube-etcd-1',
      node: 'admin-node-2',
      peerUrl: peer(1),
      initialClusterToken: 'etcd-cluster-1',
      restoreId: restoreIdOf(createdAt),
      snapshot: { path: 'snapshot.db.age', encryption: 'age' },
    });
    expect(member1.initialCluster).toBe(
      `kube-etcd-0=${peer(0)},kube-etcd-1=${peer(1)},kube-etcd-2=${peer(2)}`,
    );
    expect(members[1]!.commands.join('\n')).toContain(
      '--initial-advertise-peer-urls=https://kube-etcd-1.kube-etcd:2380',
    );
    expect(members[1]!.undo?.description).toContain('member.before-restore-20261126T170000Z');
    const scaleDown = plan.steps.find((step) => step.id === 'scale-down:kube-etcd')!;
    expect(scaleDown.params as ScaleParams).toMatchObject({
      replicas: 0,
      previousReplicas: 3,
      stopGracePeriodSeconds: 1,
    });
    expect(scaleDown.commands[0]).toContain(
      'delete pod kube-etcd-0 kube-etcd-1 kube-etcd-2 --grace-period=1 --wait=false',
    );
    expect(scaleDown.departsFromRunbook).toMatch(/old data/);
    expect(scaleDown.departsFromRunbook).toMatch(/leadership transfer/);
    for (const step of plan.steps) {
      expect(step.description.length).toBeGreaterThan(10);
      expect(step.commands.length).toBeGreaterThan(0);
    }
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('plans non-HA with one member and the same safety steps, saying where it departs from the runbook', () => {
    const plan = planRestore({ manifest: manifest(1), bundlePath: '/b', target: target(1), createdAt });
    expect(plan.cluster.ha).toBe(false);
    expect(plan.steps.filter((step) => step.kind === 'kubeception.restore-member')).toHaveLength(1);
    expect(plan.steps.find((step) => step.id === 'scale-down:kube-apiserver')?.departsFromRunbook).toMatch(
      /non-HA runbook/,
    );
    expect(plan.warnings).toEqual(["the user cluster's API (/lab/user.kubeconfig) does not answer now"]);
  });

  it('skips the PDB steps when there is no PDB', () => {
    const base = target(1);
    const { apiserverPdb: _dropped, ...facts } = base.kubeception!;
    const plan = planRestore({
      manifest: manifest(1),
      bundlePath: '/b',
      target: { ...base, kubeception: facts },
      createdAt,
    });
    expect(plan.steps.some((step) => step.kind.endsWith('-pdb'))).toBe(false);
  });

  it('refuses another cluster (name, member count) unless forced, then warns', () => {
    const other = target(1, { clusterName: 'user-2' });
    const error = (() => {
      try {
        planRestore({ manifest: manifest(3), bundlePath: '/b', target: other, createdAt });
      } catch (caught) {
        return caught;
      }
    })();
    expect(RestoreError.isInstance(error)).toBe(true);
    expect((error as RestoreError).code).toBe('RESTORE_TARGET_MISMATCH');
    expect((error as RestoreError).message).toMatch(/user-1.*user-2.*3 members, the target 1/);
    expect((error as RestoreError).remedy).toContain('--force-other-cluster');

    const forced = planRestore({
      manifest: manifest(3),
      bundlePath: '/b',
      target: other,
      forceOtherCluster: true,
      createdAt,
    });
    expect(forced.warnings[0]).toMatch(/^--force-other-cluster: restoring into a different cluster/);
    expect(forced.cluster.members).toHaveLength(1);
  });

  it('hands Controlplane V2 to its planner, which needs the nodes gathered over SSH and the etcd-util image', () => {
    const cpv2 = {
      ...manifest(1),
      cluster: { ...manifest(1).cluster, topology: 'controlplane-v2' as const },
    };
    const plan = (extra: Partial<RestoreTarget>) => () =>
      planRestore({
        manifest: cpv2,
        bundlePath: '/b',
        target: { ...target(1, { topology: 'controlplane-v2' }), ...extra },
        createdAt,
      });
    expect(plan({})).toThrow(expect.objectContaining({ code: 'RESTORE_OBJECT_NOT_FOUND' }));
    expect(plan({ controlplaneV2: { nodes: [] }, etcdUtilImage: undefined })).toThrow(
      expect.objectContaining({ code: 'RESTORE_IMAGE_UNKNOWN' }),
    );
    // With facts and an image, the Controlplane V2 planner's own checks run (here: no node in the config).
    expect(plan({ controlplaneV2: { nodes: [] }, etcdUtilImage: 'etcd-util:1' })).toThrow(
      expect.objectContaining({ code: 'CPV2_RESTORE_PLAN_INVALID' }),
    );
  });

  it("refuses when a member's node is not Ready", () => {
    const base = target(3);
    const nodes = base.kubeception!.nodes!.map((node) => ({ ...node, ready: node.name !== 'admin-node-2' }));
    expect(() =>
      planRestore({
        manifest: manifest(3),
        bundlePath: '/b',
        target: { ...base, kubeception: { ...base.kubeception!, nodes } },
        createdAt,
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'RESTORE_NODE_UNREACHABLE',
        message: expect.stringContaining('node admin-node-2, which holds PVC data-kube-etcd-1'),
      }),
    );
  });

  it('refuses without an etcd-util image and without a member PVC', () => {
    const { etcdUtilImage: _image, ...noImage } = target(1);
    expect(() =>
      planRestore({ manifest: manifest(1), bundlePath: '/b', target: noImage, createdAt }),
    ).toThrow(expect.objectContaining({ code: 'RESTORE_IMAGE_UNKNOWN' }));
    const base = target(1);
    const noClaim = { ...base, kubeception: { ...base.kubeception!, claims: [] } };
    expect(() =>
      planRestore({ manifest: manifest(1), bundlePath: '/b', target: noClaim, createdAt }),
    ).toThrow(
      expect.objectContaining({
        code: 'RESTORE_OBJECT_NOT_FOUND',
        message: expect.stringContaining('data-kube-etcd-0'),
      }),
    );
  });
});
