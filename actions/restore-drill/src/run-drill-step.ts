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

/** Where the drill restores: the test cluster of an etcd-dr.yaml, or a lab the drill starts on the runner. */
export type DrillStepTarget =
  | { mode: 'target'; configPath: string }
  | { mode: 'sandbox'; topology: 'kubeception' | 'controlplane-v2' };

/** Options of {@link runDrillStep}. */
export interface RunDrillStepOptions {
  /** The downloaded, verified bundle `.tar`. */
  bundlePath: string;
  target: DrillStepTarget;
  /** age identity files (mode 0600) that decrypt the bundle; empty for an unencrypted bundle. */
  identityFiles: string[];
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
 * The one place the action calls the drill engine (`etcd-dr drill --from BUNDLE`).
 *
 * Integration point, to wire when @etcd-dr/verify's drill and @etcd-dr/sdk's restore are merged (add
 * `@etcd-dr/verify` to this package's dependencies):
 * ```ts
 * const report = await runDrill({
 *   bundlePath: options.bundlePath,
 *   mode: options.target.mode,                         // 'target' | 'sandbox'
 *   ...(options.target.mode === 'target' ? { configPath: options.target.configPath } : { topology: options.target.topology }),
 *   identities: options.identityFiles,
 *   workDirectory: options.workDirectory,
 *   restore: (args) => the restore (planRestore + applyRestore) as the CLI's `etcd-dr drill` injects it,
 *   onProgress: (event) => options.onLog(...),
 * });
 * return { report, markdown: renderDrillMarkdown(report) };
 * ```
 * Until then it fails with `ACTION_DRILL_ENGINE_MISSING`: nothing is faked, and everything before it (find,
 * download, digest check, `verifyBundle`) has run.
 * @throws DrillActionError `ACTION_DRILL_ENGINE_MISSING`.
 */
export async function runDrillStep(options: RunDrillStepOptions): Promise<DrillStepResult> {
  throw new DrillActionError({
    code: 'ACTION_DRILL_ENGINE_MISSING',
    message: `cannot drill ${options.bundlePath} (${options.target.mode}): this build of the action has no drill engine (runDrill and renderDrillMarkdown of @etcd-dr/verify, with the restore of @etcd-dr/sdk, are not wired into actions/restore-drill/src/run-drill-step.ts)`,
    remedy:
      'the backup was found, downloaded and verified; use an etcd-dr release whose restore-drill action includes the drill, or run `etcd-dr drill --from BUNDLE` by hand',
  });
}
