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
import { type Command, Option } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { drillRestore } from './drill-restore.js';

interface DrillFlags {
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

const collect = (value: string, previous: string[]) => [...previous, value];

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

async function runDrillCommand(flags: DrillFlags): Promise<void> {
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

/**
 * Registers `etcd-dr drill --sandbox kubeception|controlplane-v2 [--ha] | --config FILE --from BUNDLE
 * [--allow-unhealthy] [--identity FILE]... [--report-dir DIR] [--gkectl PATH | --skip-gkectl] [--json]`.
 */
export function registerDrill(program: Command): void {
  program
    .command('drill')
    .summary('prove a backup restores: backup, restore, verify, report')
    .description(
      'With --sandbox: start a fresh lab, create probe configmaps, back up, create more, break etcd, restore, verify, check that exactly the right probes came back, compare the inventory, remove the lab. With --config and --from: check the test cluster, restore the bundle into it, verify and compare. Prints the report (Markdown, or JSON with --json).',
    )
    .addOption(
      new Option('--sandbox <topology>', 'drill on a fresh lab of this topology').choices([
        'kubeception',
        'controlplane-v2',
      ]),
    )
    .option('--ha', 'sandbox: three etcd members, two of them broken')
    .option('--config <file>', 'etcd-dr.yaml of the test cluster to restore into')
    .option('--from <bundle>', 'the bundle to restore')
    .option('--identity <file>', 'age identity file for an encrypted bundle (repeatable)', collect, [])
    .option('--allow-unhealthy', 'restore even when the cluster is unhealthy before the drill')
    .option('--report-dir <dir>', 'also write drill-CLUSTER-TIME.json and .md there')
    .option('--gkectl <path>', "the gkectl binary (default: the lab's with --sandbox, else gkectl from PATH)")
    .option('--skip-gkectl', 'verify with the native checks only')
    .option('--json', 'print the report as JSON instead of Markdown')
    .addHelpText(
      'after',
      '\nProgress goes to stderr. Exit status: 0 when the drill passed; 1 when it failed (the report says which\n' +
        'step and why) or on an error (one line `etcd-dr: error CODE: ...`); 2 for a usage error.',
    )
    .action((flags: DrillFlags) => runDrillCommand(flags));
}
