import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupCluster, loadClusterConfig } from '@etcd-dr/sdk';
import type { GkectlOptions } from '../cluster/verify-cluster.js';
import { readBundleInventory } from '../native/read-bundle-inventory.js';
import type { SandboxDrillOptions } from './drill-options.js';
import { createProbes, listProbes, probeNames, probeNamespace } from './drill-probes.js';
import type { DrillReport, DrillSandbox } from './drill-report.js';
import { backupFacts, compareStep, type DrillReportDraft, finishDrillReport } from './finish-drill-report.js';
import { StepFailure, StepRecorder } from './step-recorder.js';
import { describeVerification, verifyUntilHealthy, waitUntilUnhealthy } from './wait-for-verdict.js';

/** The sandbox drill; see `runDrill`. */
export async function runSandboxDrill(options: SandboxDrillOptions): Promise<DrillReport> {
  const startedAt = new Date();
  const ha = options.ha ?? false;
  const recorder = new StepRecorder(options.onStep);
  const folder = await mkdtemp(join(options.workDirectory ?? tmpdir(), 'etcd-dr-drill-'));
  const run = randomBytes(3).toString('hex');
  const before = probeNames('drill-before', run, options.probes?.before ?? 3);
  const after = probeNames('drill-after', run, options.probes?.after ?? 2);
  let lab: DrillSandbox | undefined;
  let report: DrillReportDraft = {
    reportVersion: 1,
    mode: 'sandbox',
    cluster: { name: 'user-cluster-1', topology: options.topology, ha },
    startedAt: startedAt.toISOString(),
    inventoryDiff: [],
  };
  try {
    const config = await recorder.run(
      'start-sandbox',
      async () => {
        lab = await options.startSandbox({
          topology: options.topology,
          ha,
          dir: join(folder, 'lab'),
          attached: true,
        });
        return loadClusterConfig({ path: lab.config });
      },
      () => `lab in ${lab?.dir}`,
    );
    if (config) report = { ...report, cluster: { ...report.cluster, name: config.userCluster.name } };
    const gkectl: GkectlOptions = options.gkectl ?? (lab ? { path: join(lab.dir, 'bin', 'gkectl') } : {});

    await recorder.run(
      'create-probes-before',
      () => createProbes({ config: config!, names: before }),
      () => `created configmaps ${before.join(', ')} in ${probeNamespace}`,
    );
    const backup = await recorder.run(
      'backup',
      async () => {
        const result = await backupCluster({
          config: config!,
          outputDirectory: join(folder, 'bundles'),
          tool: options.tool ?? { name: '@etcd-dr/verify drill', version: 'unknown' },
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const inventory = await readBundleInventory({ bundlePath: result.path, temporaryDirectory: folder });
        return { result, inventory };
      },
      ({ result }) =>
        `bundle ${result.path}: revision ${result.manifest.snapshot.revision}, ${result.manifest.snapshot.totalKeys} keys, ${result.snapshotBytes} snapshot bytes`,
    );
    if (backup) report = { ...report, backup: backupFacts(backup.inventory) };
    await recorder.run(
      'create-probes-after',
      () => createProbes({ config: config!, names: after }),
      () => `created configmaps ${after.join(', ')} in ${probeNamespace}`,
    );
    const members = ha ? [0, 1] : [0];
    await recorder.run(
      'break-cluster',
      async () => {
        await lab!.breakMembers(members);
        return waitUntilUnhealthy({ config: config!, timeoutMs: 60_000 });
      },
      (reason) => `corrupted the data of member(s) ${members.join(', ')}; then: ${reason}`,
    );
    const restored = await recorder.run(
      'restore',
      () =>
        options.restore({
          configPath: lab!.config,
          bundlePath: backup!.result.path,
          workDirectory: join(folder, 'restore'),
        }),
      (result) => `restored revision ${result.revision} in ${result.durationMs} ms`,
    );
    if (restored)
      report = { ...report, restore: { revision: restored.revision, durationMs: restored.durationMs } };
    const verification = await recorder.run(
      'verify',
      () =>
        verifyUntilHealthy({
          config: config!,
          against: backup!.inventory,
          gkectl,
          timeoutMs: options.recoveryTimeoutMs ?? 180_000,
          signal: options.signal,
        }),
      describeVerification,
    );
    if (verification?.inventory) report = { ...report, inventoryDiff: verification.inventory.diff };
    await recorder.run(
      'check-probes',
      async () => {
        const present = await listProbes({ config: config!, run });
        const missing = before.filter((name) => !present.includes(name));
        const unexpected = after.filter((name) => present.includes(name));
        report = {
          ...report,
          probes: { expectedPresent: before, expectedAbsent: after, missing, unexpected },
        };
        if (missing.length > 0 || unexpected.length > 0) {
          throw new StepFailure(
            [
              ...(missing.length ? [`created before the backup but missing: ${missing.join(', ')}`] : []),
              ...(unexpected.length
                ? [`created after the backup but present: ${unexpected.join(', ')}`]
                : []),
            ].join('; '),
          );
        }
        return present;
      },
      () => `all ${before.length} before-probes are back and none of the ${after.length} after-probes`,
    );
    await compareStep({ recorder, verification, diff: report.inventoryDiff });
  } finally {
    await recorder.run(
      'stop-sandbox',
      async () => {
        await lab?.stop();
        await rm(folder, { recursive: true, force: true });
      },
      () => (lab ? 'lab stopped and removed' : 'no lab was started; temporary folder removed'),
      { always: true },
    );
  }
  return finishDrillReport({ report, recorder, startedAt });
}
