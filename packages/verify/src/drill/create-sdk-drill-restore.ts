import { loadClusterConfig, RestoreError, restoreCluster } from '@etcd-dr/sdk';
import type { DrillRestore } from './drill-report.js';

/** Options of {@link createSdkDrillRestore}. */
export interface CreateSdkDrillRestoreOptions {
  /** Recorded in the bundle's restore report, e.g. the CLI's version. Default `unknown`. */
  toolVersion?: string;
}

/**
 * The restore a drill proves, as `etcd-dr restore --yes` runs it: pre-flight, plan and apply with journal and
 * rollback (`restoreCluster` of @etcd-dr/sdk), its journal in the drill's work folder. The CLI's `etcd-dr drill`
 * and the restore-drill action inject this into `runDrill`.
 */
export function createSdkDrillRestore(options: CreateSdkDrillRestoreOptions = {}): DrillRestore {
  return async ({ configPath, bundlePath, identities, workDirectory }) => {
    const config = await loadClusterConfig({ path: configPath });
    const result = await restoreCluster({
      config,
      bundlePath,
      workDirectory,
      ...(identities && identities.length > 0 ? { identities } : {}),
      ...(options.toolVersion ? { toolVersion: options.toolVersion } : {}),
    });
    if (result.outcome !== 'succeeded') {
      throw new RestoreError({
        code: 'RESTORE_STEP_FAILED',
        object: result.cluster,
        message: `the restore of ${result.cluster} ended ${result.outcome} (journal ${result.journalPath})`,
        remedy: 'read the journal, then run `etcd-dr restore --resume` or restore by hand',
      });
    }
    return { revision: result.revision, durationMs: result.durationMs };
  };
}
