import type { BundleManifest } from '../bundle/bundle-manifest.js';
import type { PlanStep } from '../plan/plan-step.js';
import { planControlplaneV2Restore } from './controlplane-v2/plan-controlplane-v2-restore.js';
import { planKubeceptionRestore } from './kubeception/plan-kubeception-restore.js';
import { RestoreError } from './restore-error.js';
import type { RestorePlan } from './restore-plan.js';
import type { RestoreTarget } from './restore-target.js';

/** Options of {@link planRestore}. */
export interface PlanRestoreOptions {
  /** The bundle's manifest (already read and verified). */
  manifest: BundleManifest;
  /** Path of the bundle, recorded in the plan. */
  bundlePath: string;
  /** Live facts from `gatherRestoreTarget`. */
  target: RestoreTarget;
  /**
   * Restore even when the target is not the cluster the bundle came from (other name, topology or member
   * count). Default false: refused with `RESTORE_TARGET_MISMATCH`.
   */
  forceOtherCluster?: boolean;
  /** The plan's time, which also names what it leaves behind (e.g. `member.before-restore-ID`). Default now. */
  createdAt?: Date;
  /** How long each waiting step waits for members and pods. Default 300 000 ms. */
  waitTimeoutMs?: number;
}

/** What a topology's planner gets from {@link planRestore}. */
export interface TopologyRestorePlannerOptions {
  manifest: BundleManifest;
  target: RestoreTarget;
  /** Short id of this restore, e.g. `20261126T170000Z`: names utility pods' files and the data moved aside. */
  restoreId: string;
  waitTimeoutMs?: number;
}

/** A topology's planner: the ordered steps for the target (pure). */
export type TopologyRestorePlanner = (options: TopologyRestorePlannerOptions) => PlanStep[];

/** The planners by topology: the one place a topology's restore is plugged in. */
export const restorePlanners: Record<RestoreTarget['topology'], TopologyRestorePlanner | undefined> = {
  kubeception: planKubeceptionRestore,
  'controlplane-v2': planControlplaneV2FromTarget,
};

function planControlplaneV2FromTarget(options: TopologyRestorePlannerOptions): PlanStep[] {
  const { target } = options;
  if (!target.controlplaneV2) {
    throw new RestoreError({
      code: 'RESTORE_OBJECT_NOT_FOUND',
      object: `cluster ${target.clusterName}`,
      message: `no control-plane node facts were gathered for ${target.clusterName}`,
      remedy: 'gather the target with gatherRestoreTarget, which reads every control-plane node over SSH',
    });
  }
  if (!target.etcdUtilImage) {
    throw new RestoreError({
      code: 'RESTORE_IMAGE_UNKNOWN',
      object: `cluster ${target.clusterName}`,
      message: `the etcd-util image the nodes run the restore with is unknown for ${target.clusterName}`,
      remedy:
        'set etcdUtilImage in etcd-dr.yaml (gcr.io/gke-on-prem-release/etcd-util:<GKE on-prem version>)',
    });
  }
  return planControlplaneV2Restore({
    manifest: options.manifest,
    facts: target.controlplaneV2,
    etcdUtilImage: target.etcdUtilImage,
    ...(options.waitTimeoutMs === undefined ? {} : { healthTimeoutMs: options.waitTimeoutMs }),
  });
}

/** Pure: the id of a restore planned at `date`, `YYYYMMDDTHHMMSSZ`. */
export function restoreIdOf(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * Pure: checks that the target is the bundle's cluster and returns the ordered, serializable steps of the
 * restore for its topology (Kubeception and Controlplane V2, non-HA and HA). Prints nothing and touches nothing.
 * @throws RestoreError `RESTORE_TARGET_MISMATCH` (name, topology, member count or names differ and
 * `forceOtherCluster` is not set), `RESTORE_TOPOLOGY_UNSUPPORTED`, and the topology planner's errors
 * (`RESTORE_OBJECT_NOT_FOUND`, `RESTORE_IMAGE_UNKNOWN`).
 */
export function planRestore(options: PlanRestoreOptions): RestorePlan {
  const { manifest, target } = options;
  const createdAt = options.createdAt ?? new Date();
  const differences = targetDifferences({ manifest, target });
  const warnings: string[] = [];
  if (differences.length > 0) {
    if (!options.forceOtherCluster) {
      throw new RestoreError({
        code: 'RESTORE_TARGET_MISMATCH',
        object: `cluster ${target.clusterName}`,
        message: `bundle ${options.bundlePath} is not a backup of the target: ${differences.join('; ')}`,
        remedy:
          'check --config and --from; to restore into another cluster on purpose, pass --force-other-cluster',
      });
    }
    warnings.push(`--force-other-cluster: restoring into a different cluster (${differences.join('; ')})`);
  }
  const planner = restorePlanners[target.topology];
  if (!planner) {
    throw new RestoreError({
      code: 'RESTORE_TOPOLOGY_UNSUPPORTED',
      object: `cluster ${target.clusterName}`,
      message: `user cluster ${target.clusterName} uses ${target.topology}; this etcd-dr version restores Kubeception clusters only`,
      remedy: 'follow the runbook by hand for this topology until etcd-dr supports it',
    });
  }
  if (!target.userApiReachable) {
    warnings.push(`the user cluster's API (${target.userKubeconfig}) does not answer now`);
  }
  const bundleMajorMinor = /^(\d+\.\d+)/.exec(manifest.etcd.version)?.[1];
  const liveMajorMinor = /^(\d+\.\d+)/.exec(target.etcdVersion ?? '')?.[1];
  if (bundleMajorMinor && liveMajorMinor && bundleMajorMinor !== liveMajorMinor) {
    warnings.push(
      `the snapshot comes from etcd ${manifest.etcd.version} and the members now run ${target.etcdVersion}`,
    );
  }
  const steps = planner({
    manifest,
    target,
    restoreId: restoreIdOf(createdAt),
    ...(options.waitTimeoutMs === undefined ? {} : { waitTimeoutMs: options.waitTimeoutMs }),
  });
  return {
    kind: 'restore',
    planVersion: 1,
    createdAt: createdAt.toISOString(),
    cluster: {
      name: target.clusterName,
      topology: target.topology,
      ha: target.members.length > 1,
      members: target.members,
    },
    bundle: {
      path: options.bundlePath,
      createdAt: manifest.createdAt,
      revision: manifest.snapshot.revision,
      totalKeys: manifest.snapshot.totalKeys,
      etcdVersion: manifest.etcd.version,
    },
    steps,
    warnings,
  };
}

/** Pure: how the target differs from the bundle's cluster (empty when it is the same cluster). */
export function targetDifferences(options: { manifest: BundleManifest; target: RestoreTarget }): string[] {
  const { manifest, target } = options;
  const differences: string[] = [];
  if (manifest.cluster.name !== target.clusterName) {
    differences.push(
      `the bundle is of cluster ${manifest.cluster.name}, the target is ${target.clusterName}`,
    );
  }
  if (manifest.cluster.topology !== target.topology) {
    differences.push(`the bundle is ${manifest.cluster.topology}, the target is ${target.topology}`);
  }
  const bundleNames = manifest.cluster.members.map((member) => member.name).sort();
  const liveNames = target.members.map((member) => member.name).sort();
  if (bundleNames.length !== liveNames.length) {
    differences.push(`the bundle has ${bundleNames.length} members, the target ${liveNames.length}`);
  } else if (bundleNames.join(',') !== liveNames.join(',')) {
    differences.push(
      `the bundle's members are ${bundleNames.join(', ')}, the target's ${liveNames.join(', ')}`,
    );
  }
  return differences;
}
