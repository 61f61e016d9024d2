import type { ClusterConfig } from '../cluster/cluster-config.js';
import { prepareRestore } from '../restore/prepare-restore.js';
import { type ApplyRestoreOptions, applyRestore, type RestoreResult } from './apply-restore.js';

/** Options of {@link restoreCluster}. */
export interface RestoreClusterOptions {
  config: ClusterConfig;
  /** A bundle directory or `.tar`. */
  bundlePath: string;
  /** age identities for an encrypted bundle. Default none. */
  identities?: string[];
  /** Journal and lock folder; keep one per cluster. */
  workDirectory: string;
  /** Default false. */
  forceOtherCluster?: boolean;
  /** Default false: roll back on a failed step. */
  stopOnFailure?: boolean;
  onProgress?: ApplyRestoreOptions['onProgress'];
  signal?: AbortSignal;
  /** Recorded in the bundle's restore report. Default `unknown`. */
  toolVersion?: string;
}

/**
 * Pre-flight, plan and apply in one call, for callers that do not show the plan first (restore drills into
 * a test cluster): `prepareRestore` then `applyRestore` with the bundle verified once.
 * @throws what `prepareRestore` and `applyRestore` throw.
 */
export async function restoreCluster(options: RestoreClusterOptions): Promise<RestoreResult> {
  const prepared = await prepareRestore({
    config: options.config,
    bundlePath: options.bundlePath,
    ...(options.identities ? { identities: options.identities } : {}),
    ...(options.forceOtherCluster ? { forceOtherCluster: true } : {}),
  });
  return applyRestore({
    plan: prepared.plan,
    config: options.config,
    bundlePath: options.bundlePath,
    bundle: prepared.bundle,
    workDirectory: options.workDirectory,
    ...(options.identities ? { identities: options.identities } : {}),
    ...(options.stopOnFailure ? { stopOnFailure: true } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.toolVersion ? { toolVersion: options.toolVersion } : {}),
  });
}
