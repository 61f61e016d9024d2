import { VerifyError } from '../verify-error.js';
import type { RunDrillOptions } from './drill-options.js';
import type { DrillReport } from './drill-report.js';
import { runSandboxDrill } from './run-sandbox-drill.js';
import { runTargetDrill } from './run-target-drill.js';

/**
 * Proves that a bundle restores: backup (sandbox mode), restore, verify, and a report with steps, durations,
 * bytes, revisions, the inventory diff and a verdict.
 *
 * Sandbox mode starts a fresh lab in a temporary folder, creates configmaps `drill-before-*` through the user
 * API, backs up with `backupCluster`, creates `drill-after-*`, breaks the etcd data (member 0, or members 0 and
 * 1 when HA), runs the injected restore, waits for the cluster to verify healthy (native checks and the lab's
 * gkectl), checks that every before-probe came back and no after-probe did, and compares the live keys with
 * the bundle's. The lab and the temporary folder are always removed.
 *
 * Target mode checks the cluster first and stops before restoring anything when it is unhealthy (unless
 * `allowUnhealthy`), then restores the bundle, verifies, and compares.
 *
 * A failed step is a `failed` verdict, not a throw; later steps are `skipped`.
 * @throws VerifyError `VERIFY_DRILL_OPTIONS_INVALID` for bad options.
 */
export async function runDrill(options: RunDrillOptions): Promise<DrillReport> {
  validate(options);
  return options.mode === 'sandbox' ? runSandboxDrill(options) : runTargetDrill(options);
}

function validate(options: RunDrillOptions): void {
  const problems: string[] = [];
  if (typeof options.restore !== 'function') problems.push('restore must be a function');
  if (options.mode === 'sandbox') {
    if (options.topology !== 'kubeception' && options.topology !== 'controlplane-v2') {
      problems.push(`topology must be kubeception or controlplane-v2 (got ${String(options.topology)})`);
    }
    if (typeof options.startSandbox !== 'function') problems.push('startSandbox must be a function');
  } else if (options.mode === 'target') {
    if (!options.configPath) problems.push('configPath must name an etcd-dr.yaml');
    if (!options.bundlePath) problems.push('bundlePath must name a bundle');
  } else {
    problems.push(`mode must be sandbox or target (got ${String((options as { mode: unknown }).mode)})`);
  }
  if (problems.length > 0) {
    throw new VerifyError({
      code: 'VERIFY_DRILL_OPTIONS_INVALID',
      message: `runDrill: ${problems.join('; ')}`,
      remedy:
        'pass { mode: "sandbox", topology, startSandbox, restore } or { mode: "target", configPath, bundlePath, restore }',
    });
  }
}
