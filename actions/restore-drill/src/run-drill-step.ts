import { DrillActionError } from './drill-action-error.js';

/**
 * The drill report, as the contract of `@etcd-dr/verify` (packages/verify/src/drill/) defines it. When the drill
 * engine is merged, replace this with `import type { DrillReport } from '@etcd-dr/verify'`.
 */
export interface DrillReport {
  reportVersion: 1;
  verdict: 'passed' | 'failed';
  mode: 'sandbox' | 'target';
  cluster: { name: string; topology: 'kubeception' | 'controlplane-v2'; ha: boolean };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  steps: { name: string; outcome: 'succeeded' | 'failed' | 'skipped'; durationMs: number; detail?: string }[];
  backup?: { bundlePath: string; bytes: number; revision: number; totalKeys: number };
  restore?: { revision: number; durationMs: number };
  inventoryDiff: { resource: string; namespace?: string; bundle: number; live: number }[];
  probes?: { expectedPresent: string[]; expectedAbsent: string[]; missing: string[]; unexpected: string[] };
  failures: string[];
}

/**
 * Where the drill runs: restoring the bundle into the test cluster of an etcd-dr.yaml, or a self-contained
 * drill (backup, break, restore) of a fresh lab shaped like the backed-up cluster, which the drill starts.
 */
export type DrillStepTarget =
  | { mode: 'target'; configPath: string }
  | { mode: 'sandbox'; topology: 'kubeception' | 'controlplane-v2'; ha: boolean };

/** Options of {@link runDrillStep}. */
export interface RunDrillStepOptions {
  /** The downloaded, verified bundle `.tar`. */
  bundlePath: string;
  target: DrillStepTarget;
  /** age identities (`AGE-SECRET-KEY-1...`, already masked) that decrypt the bundle; empty when unencrypted. */
  identities: string[];
  /** A private scratch folder, removed by the action afterwards. */
  workDirectory: string;
  /** Progress lines for the log. */
  onLog: (line: string) => void;
}

/** The drill's report and its Markdown rendering (the job summary's body). */
export interface DrillStepResult {
  report: DrillReport;
  markdown: string;
}

/**
 * The one place the action calls the drill engine (what `etcd-dr drill` runs).
 *
 * Integration point, to wire when `@etcd-dr/verify`'s drill and the SDK's restore are merged. As the verify
 * helper's `runDrill` stands (packages/verify/src/drill/run-drill.ts), with `@etcd-dr/verify` and
 * `@etcd-dr/sandbox` added to this package's dependencies:
 * ```ts
 * const common = {
 *   restore: drillRestore,                // the same applyRestore adapter the CLI's `etcd-dr drill` injects
 *   workDirectory: options.workDirectory,
 *   onStep: (event) => options.onLog(`${event.step}: ${event.status}`),
 * };
 * const report =
 *   options.target.mode === 'sandbox'
 *     ? await runDrill({ ...common, mode: 'sandbox', topology: options.target.topology, ha: options.target.ha, startSandbox })
 *     : await runDrill({ ...common, mode: 'target', configPath: options.target.configPath,
 *         bundlePath: options.bundlePath, identities: options.identities });
 * return { report, markdown: renderDrillMarkdown(report) };
 * ```
 * `startSandbox` spawns the lab's `supervisor.js` (and installs `gkectl.js`) from beside the running file, so
 * sandbox mode also needs those two as tsup entries of this action (`dist/supervisor.js`, `dist/gkectl.js`
 * from packages/sandbox/src/supervisor.ts and gkectl.ts), and actions/shared/src/action-bundles.e2e.test.ts
 * then expects three files. Replace the local `DrillReport` with `import type { DrillReport } from
 * '@etcd-dr/verify'`.
 *
 * Until then it fails with `ACTION_DRILL_ENGINE_MISSING`: nothing is faked, and everything before it (find,
 * download, digest check, `verifyBundle`, the target's secrets) has run.
 * @throws DrillActionError `ACTION_DRILL_ENGINE_MISSING`.
 */
export async function runDrillStep(options: RunDrillStepOptions): Promise<DrillStepResult> {
  throw new DrillActionError({
    code: 'ACTION_DRILL_ENGINE_MISSING',
    message: `cannot drill ${options.bundlePath} (${options.target.mode}): this build of the action has no drill engine (runDrill and renderDrillMarkdown of @etcd-dr/verify, with the restore of @etcd-dr/sdk, are not wired into actions/restore-drill/src/run-drill-step.ts)`,
    remedy:
      'the backup was found, downloaded and verified; use an etcd-dr release whose restore-drill action includes the drill, or run `etcd-dr drill` by hand',
  });
}
