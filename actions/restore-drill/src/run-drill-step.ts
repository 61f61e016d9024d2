import { startSandbox } from '@etcd-dr/sandbox';
import {
  createSdkDrillRestore,
  type DrillReport,
  type DrillStepEvent,
  formatDuration,
  renderDrillMarkdown,
  runDrill,
} from '@etcd-dr/verify';
import packageJson from '../package.json' with { type: 'json' };

/**
 * Where the drill runs: restoring the bundle into the test cluster of an etcd-dr.yaml, or a self-contained
 * drill (backup, break, restore) of a fresh lab shaped like the backed-up cluster, which the drill starts.
 */
export type DrillStepTarget =
  | { mode: 'target'; configPath: string; allowUnhealthy: boolean }
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

/** The restore the drill proves: exactly what `etcd-dr restore --yes` and `etcd-dr drill` run. */
const drillRestore = createSdkDrillRestore({ toolVersion: packageJson.version });

/**
 * The one place the action calls the drill engine, as `etcd-dr drill` does: `runDrill` of `@etcd-dr/verify`
 * with the SDK's restore. Target mode restores the bundle into the test cluster (stopping before the restore
 * when it is unhealthy, unless `allowUnhealthy`); sandbox mode starts a lab beside the action (`startSandbox`
 * spawns `supervisor.js` and installs `gkectl.js` from the action's dist/), backs it up, breaks and restores it.
 * A failed drill is a `failed` verdict in the report, not a throw.
 * @throws VerifyError `VERIFY_DRILL_OPTIONS_INVALID`, and load errors of the target's etcd-dr.yaml.
 */
export async function runDrillStep(options: RunDrillStepOptions): Promise<DrillStepResult> {
  const common = {
    restore: drillRestore,
    workDirectory: options.workDirectory,
    onStep: (event: DrillStepEvent) => options.onLog(describeStepEvent(event)),
  };
  const { target } = options;
  const report =
    target.mode === 'sandbox'
      ? await runDrill({
          ...common,
          mode: 'sandbox',
          topology: target.topology,
          ha: target.ha,
          startSandbox,
          tool: { name: packageJson.name, version: packageJson.version },
        })
      : await runDrill({
          ...common,
          mode: 'target',
          configPath: target.configPath,
          bundlePath: options.bundlePath,
          identities: options.identities,
          allowUnhealthy: target.allowUnhealthy,
        });
  return { report, markdown: renderDrillMarkdown(report) };
}

function describeStepEvent(event: DrillStepEvent): string {
  if (event.status === 'started') return `${event.step} ...`;
  const took = event.durationMs === undefined ? '' : ` (${formatDuration(event.durationMs)})`;
  return `${event.step} ${event.status}${took}${event.detail ? `: ${event.detail}` : ''}`;
}
