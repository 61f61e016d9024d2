import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadClusterConfig } from '@etcd-dr/sdk';
import { verifyCluster } from '../cluster/verify-cluster.js';
import { readBundleInventory } from '../native/read-bundle-inventory.js';
import type { TargetDrillOptions } from './drill-options.js';
import type { DrillReport } from './drill-report.js';
import { backupFacts, compareStep, type DrillReportDraft, finishDrillReport } from './finish-drill-report.js';
import { StepFailure, StepRecorder } from './step-recorder.js';
import { describeVerification, failedReasons, verifyUntilHealthy } from './wait-for-verdict.js';

/** The target drill; see `runDrill`. */
export async function runTargetDrill(options: TargetDrillOptions): Promise<DrillReport> {
  const startedAt = new Date();
  const recorder = new StepRecorder(options.onStep);
  const config = await loadClusterConfig({ path: options.configPath });
  const gkectl = options.gkectl ?? {};
  const identities = options.identities ?? [];
  let report: DrillReportDraft = {
    reportVersion: 1,
    mode: 'target',
    cluster: {
      name: config.userCluster.name,
      topology: config.userCluster.topology === 'controlplane-v2' ? 'controlplane-v2' : 'kubeception',
      ha: false,
    },
    startedAt: startedAt.toISOString(),
    inventoryDiff: [],
  };
  const inventory = await recorder.run(
    'read-bundle',
    () => readBundleInventory({ bundlePath: options.bundlePath, identities }),
    (read) =>
      `bundle of ${read.manifest.cluster.name} taken ${read.manifest.createdAt}: revision ${read.snapshot.status.revision}, ${read.snapshot.liveKeys} live keys`,
  );
  if (inventory) {
    report = {
      ...report,
      cluster: {
        name: config.userCluster.name,
        topology: inventory.manifest.cluster.topology,
        ha: inventory.manifest.cluster.ha,
      },
      backup: backupFacts(inventory),
    };
  }
  await recorder.run(
    'pre-check',
    async () => {
      const verification = await verifyCluster({
        config,
        gkectl,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      report = { ...report, cluster: { ...report.cluster, topology: verification.cluster.topology } };
      if (verification.verdict === 'healthy') return 'the cluster verified healthy before the restore';
      const reasons = failedReasons(verification);
      if (!options.allowUnhealthy) {
        throw new StepFailure(
          `the cluster is unhealthy before the drill, so nothing was restored (${reasons}); repair it, or allow restoring into an unhealthy cluster (allowUnhealthy, --allow-unhealthy)`,
        );
      }
      return `the cluster is unhealthy before the restore (${reasons}); restoring anyway as allowed`;
    },
    (text) => text,
  );
  const workDirectory =
    options.workDirectory === undefined
      ? await mkdtemp(join(tmpdir(), 'etcd-dr-drill-'))
      : await mkdtemp(join(options.workDirectory, 'etcd-dr-drill-'));
  try {
    const restored = await recorder.run(
      'restore',
      () =>
        options.restore({
          configPath: options.configPath,
          bundlePath: options.bundlePath,
          ...(identities.length > 0 ? { identities } : {}),
          workDirectory,
        }),
      (result) => `restored revision ${result.revision} in ${result.durationMs} ms`,
    );
    if (restored)
      report = { ...report, restore: { revision: restored.revision, durationMs: restored.durationMs } };
    const verification = await recorder.run(
      'verify',
      () =>
        verifyUntilHealthy({
          config,
          against: inventory!,
          gkectl,
          timeoutMs: options.recoveryTimeoutMs ?? 180_000,
          signal: options.signal,
        }),
      describeVerification,
    );
    if (verification?.inventory) report = { ...report, inventoryDiff: verification.inventory.diff };
    await compareStep({ recorder, verification, diff: report.inventoryDiff });
  } finally {
    if (options.workDirectory === undefined) await rm(workDirectory, { recursive: true, force: true });
  }
  return finishDrillReport({ report, recorder, startedAt });
}
