import { loadClusterConfig, RestoreError, restoreCluster } from '@etcd-dr/sdk';
import type { DrillRestore } from '@etcd-dr/verify';
import packageJson from '../../package.json' with { type: 'json' };

/**
 * The restore `etcd-dr drill` proves: the single place where the CLI wires the restore engine into the drill.
 * It is exactly what `etcd-dr restore --yes` runs (pre-flight, plan, apply with journal and rollback), with
 * the journal in the drill's work folder.
 */
export const drillRestore: DrillRestore = async ({ configPath, bundlePath, identities, workDirectory }) => {
  const config = await loadClusterConfig({ path: configPath });
  const result = await restoreCluster({
    config,
    bundlePath,
    workDirectory,
    ...(identities && identities.length > 0 ? { identities } : {}),
    toolVersion: packageJson.version,
  });
  if (result.outcome !== 'succeeded') {
    throw new RestoreError({
      code: 'RESTORE_STEP_FAILED',
      object: result.cluster,
      message: `the restore of ${result.cluster} ended ${result.outcome} (journal ${result.journalPath})`,
      remedy:
        'read the journal and the step errors above, then run `etcd-dr restore --resume` or restore by hand',
    });
  }
  return { revision: result.revision, durationMs: result.durationMs };
};
