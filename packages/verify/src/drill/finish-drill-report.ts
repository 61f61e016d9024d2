import type { ClusterVerification } from '../cluster/verify-cluster.js';
import { type InventoryDiffRow, summarizeInventoryDiff } from '../native/compare-inventories.js';
import type { BundleInventory } from '../native/read-bundle-inventory.js';
import type { DrillReport } from './drill-report.js';
import { StepFailure, type StepRecorder } from './step-recorder.js';

/** A report under construction: everything but what `finishDrillReport` adds. */
export type DrillReportDraft = Omit<
  DrillReport,
  'verdict' | 'finishedAt' | 'durationMs' | 'steps' | 'failures'
>;

/** The report once every step ran: verdict from the failures, times, steps. */
export function finishDrillReport(options: {
  report: Omit<DrillReport, 'verdict' | 'finishedAt' | 'durationMs' | 'steps' | 'failures'>;
  recorder: StepRecorder;
  startedAt: Date;
}): DrillReport {
  const finishedAt = new Date();
  const { recorder } = options;
  return {
    ...options.report,
    verdict: recorder.failures.length === 0 ? 'passed' : 'failed',
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - options.startedAt.getTime(),
    steps: recorder.steps,
    failures: recorder.failures,
  };
}

/** The compare-inventory step: the diff summary, or a failure when no inventory was read. */
export async function compareStep(options: {
  recorder: StepRecorder;
  verification: ClusterVerification | undefined;
  diff: InventoryDiffRow[];
}): Promise<void> {
  await options.recorder.run(
    'compare-inventory',
    async () => {
      if (!options.verification?.inventory) {
        throw new StepFailure(
          `the live keys could not be compared with the bundle: ${options.verification?.warnings.join('; ') || 'no inventory was read'}`,
        );
      }
      return summarizeInventoryDiff(options.diff);
    },
    (text) => text,
  );
}

/** Pure: the backup facts of the report from a bundle's manifest. */
export function backupFacts(inventory: BundleInventory): NonNullable<DrillReport['backup']> {
  return {
    bundlePath: inventory.bundlePath,
    bytes: inventory.manifest.files.reduce((sum, file) => sum + file.size, 0),
    revision: inventory.manifest.snapshot.revision,
    totalKeys: inventory.manifest.snapshot.totalKeys,
  };
}
