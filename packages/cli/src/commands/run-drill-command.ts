import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startSandbox } from '@etcd-dr/sandbox';
import { loadAgeIdentities } from '@etcd-dr/sdk';
import {
  type DrillReport,
  type DrillStepEvent,
  formatDuration,
  type GkectlOptions,
  renderDrillMarkdown,
  runDrill,
  VerifyError,
} from '@etcd-dr/verify';
import packageJson from '../../package.json' with { type: 'json' };
import { drillRestore } from './drill-restore.js';

/** The flags of `etcd-dr drill`, as commander parses them. */
export interface DrillFlags {
  sandbox?: 'kubeception' | 'controlplane-v2';
  ha?: boolean;
  config?: string;
  from?: string;
  identity: string[];
  allowUnhealthy?: boolean;
  reportDir?: string;
  gkectl?: string;
  skipGkectl?: boolean;
  json?: boolean;
}

function invalid(message: string): VerifyError {
  return new VerifyError({
    code: 'VERIFY_DRILL_OPTIONS_INVALID',
    message,
    remedy: 'run `etcd-dr drill --sandbox kubeception [--ha]` or `etcd-dr drill --config FILE --from BUNDLE`',
  });
}

function validate(flags: DrillFlags): void {
  if (flags.sandbox && (flags.config || flags.from)) {
    throw invalid('--sandbox cannot be combined with --config/--from');
  }
  if (!flags.sandbox && !(flags.config && flags.from)) {
    throw invalid(
      flags.config || flags.from
        ? 'a drill against a cluster needs both --config and --from'
        : 'say where to drill: --sandbox TOPOLOGY, or --config FILE with --from BUNDLE',
    );
  }
  if (flags.ha && !flags.sandbox) throw invalid('--ha applies to --sandbox only');
  if (flags.allowUnhealthy && flags.sandbox)
    throw invalid('--allow-unhealthy applies to --config/--from only');
  if (flags.identity.length > 0 && flags.sandbox) throw invalid('--identity applies to --config/--from only');
  if (flags.gkectl !== undefined && flags.skipGkectl)
    throw invalid('--gkectl and --skip-gkectl were both given');
}

function progress(event: DrillStepEvent): void {
  if (event.status === 'started') {
    process.stderr.write(`drill: ${event.step} ...\n`);
    return;
  }
  const took = event.durationMs === undefined ? '' : ` (${formatDuration(event.durationMs)})`;
  process.stderr.write(
    `drill: ${event.step} ${event.status}${took}${event.detail ? `: ${event.detail}` : ''}\n`,
  );
}

async function writeReports(report: DrillReport, directory: string): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const stamp = report.startedAt.replaceAll(':', '').replace(/\.\d+Z$/, 'Z');
  const base = join(directory, `drill-${report.cluster.name}-${stamp}`);
  await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(`${base}.md`, renderDrillMarkdown(report));
  return [`${base}.json`, `${base}.md`];
}

/** Runs `etcd-dr drill` with parsed flags: the report on stdout, exit status 1 unless it passed. */
export async function runDrillCommand(flags: DrillFlags): Promise<void> {
  validate(flags);
  const gkectl: GkectlOptions | undefined = flags.skipGkectl
    ? { skip: true }
    : flags.gkectl !== undefined
      ? { path: resolve(flags.gkectl) }
      : undefined;
  const common = {
    restore: drillRestore,
    onStep: progress,
    ...(gkectl ? { gkectl } : {}),
  };
  const report = flags.sandbox
    ? await runDrill({
        ...common,
        mode: 'sandbox',
        topology: flags.sandbox,
        ha: flags.ha ?? false,
        startSandbox,
        tool: { name: 'etcd-dr', version: packageJson.version },
      })
    : await runDrill({
        ...common,
        mode: 'target',
        configPath: resolve(flags.config!),
        bundlePath: resolve(flags.from!),
        identities:
          flags.identity.length > 0
            ? await loadAgeIdentities({ identityFiles: flags.identity.map((path) => resolve(path)) })
            : [],
        allowUnhealthy: flags.allowUnhealthy ?? false,
      });
  if (flags.reportDir) {
    const written = await writeReports(report, resolve(flags.reportDir));
    process.stderr.write(`drill: report written to ${written.join(' and ')}\n`);
  }
  process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderDrillMarkdown(report));
  if (report.verdict !== 'passed') process.exitCode = 1;
}
