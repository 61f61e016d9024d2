import { type DrillRestore, VerifyError } from '@etcd-dr/verify';

/**
 * The restore `etcd-dr drill` proves: the single place where the CLI wires the restore engine into the drill.
 * When `applyRestore` lands, this becomes: load the config and bundle, `planRestore`, `applyRestore` with
 * `workDirectory`, and return its revision and duration. Until then it refuses with
 * `VERIFY_RESTORE_UNAVAILABLE`, so a drill reports a failed restore step instead of pretending.
 */
export const drillRestore: DrillRestore = async ({ bundlePath }) => {
  throw new VerifyError({
    code: 'VERIFY_RESTORE_UNAVAILABLE',
    message: `this etcd-dr build has no restore engine, so ${bundlePath} cannot be restored`,
    remedy: 'use an etcd-dr version with `etcd-dr restore`; until then follow the runbook by hand',
  });
};
