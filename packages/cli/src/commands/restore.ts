import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  applyRestore,
  loadAgeIdentities,
  loadClusterConfig,
  prepareRestore,
  readBundle,
  readRestoreJournal,
  verifyBundle,
} from '@etcd-dr/sdk';
import { type Command, CommanderError } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { exitCodes } from '../run-main.js';
import { formatRestorePlan, formatRestoreProgress, formatRestoreResult } from './format-restore.js';

interface RestoreFlags {
  config: string;
  from: string;
  identity: string[];
  plan?: boolean;
  yes?: boolean;
  resume?: boolean;
  stopOnFailure?: boolean;
  forceOtherCluster?: boolean;
  workDir?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * Test-only fault injection: `ETCD_DR_TEST_KILL_AFTER_STEP=STEP_ID` makes the CLI SIGKILL itself right after
 * that step is journaled, to prove `--resume`. Never set it outside tests.
 */
const testKillAfterStepVariable = 'ETCD_DR_TEST_KILL_AFTER_STEP';

function usage(message: string): never {
  process.stderr.write(`etcd-dr: ${message}\n(run with --help for usage)\n`);
  throw new CommanderError(exitCodes.usage, 'etcd-dr.usage', message);
}

async function runRestore(flags: RestoreFlags): Promise<void> {
  if (flags.plan === flags.yes)
    usage('restore needs exactly one of --plan (print the plan) and --yes (apply it)');
  if (flags.resume && !flags.yes) usage('--resume applies: use it with --yes');
  const config = await loadClusterConfig({ path: resolve(flags.config) });
  const identities =
    flags.identity.length > 0
      ? await loadAgeIdentities({ identityFiles: flags.identity.map((path) => resolve(path)) })
      : [];
  const bundlePath = resolve(flags.from);
  const workDirectory = resolve(
    flags.workDir ?? join(homedir(), '.local', 'state', 'etcd-dr', 'restore', config.userCluster.name),
  );
  const onProgress = (event: Parameters<typeof formatRestoreProgress>[0]) => {
    const line = formatRestoreProgress(event);
    if (line) process.stderr.write(`${line}\n`);
  };
  const killAfter = process.env[testKillAfterStepVariable];
  const testAfterStep = killAfter
    ? (stepId: string) => {
        if (stepId === killAfter) process.kill(process.pid, 'SIGKILL');
      }
    : undefined;
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted by a signal'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (flags.resume) {
      const journal = await readRestoreJournal({ workDirectory });
      process.stderr.write(
        `etcd-dr: resuming the restore journaled in ${workDirectory}${journal ? ` (plan ${journal.planId})` : ''}\n`,
      );
      const verification = await verifyBundle({ bundle: await readBundle({ path: bundlePath }) });
      if (!verification.ok) throw verification.error;
      const result = await applyRestore({
        config,
        bundlePath,
        bundle: verification.bundle,
        identities,
        workDirectory,
        resume: true,
        ...(flags.stopOnFailure ? { stopOnFailure: true } : {}),
        onProgress,
        signal: controller.signal,
        toolVersion: packageJson.version,
        ...(testAfterStep ? { testAfterStep } : {}),
      });
      printResult(result, flags.json);
      return;
    }
    const prepared = await prepareRestore({
      config,
      bundlePath,
      identities,
      ...(flags.forceOtherCluster ? { forceOtherCluster: true } : {}),
    });
    if (flags.plan) {
      process.stdout.write(
        flags.json
          ? `${JSON.stringify({ ok: true, plan: prepared.plan, checks: prepared.checks }, null, 2)}\n`
          : formatRestorePlan({ plan: prepared.plan, checks: prepared.checks }),
      );
      return;
    }
    for (const warning of prepared.plan.warnings) process.stderr.write(`etcd-dr: WARNING: ${warning}\n`);
    const result = await applyRestore({
      plan: prepared.plan,
      config,
      bundlePath,
      bundle: prepared.bundle,
      identities,
      workDirectory,
      ...(flags.stopOnFailure ? { stopOnFailure: true } : {}),
      onProgress,
      signal: controller.signal,
      toolVersion: packageJson.version,
      ...(testAfterStep ? { testAfterStep } : {}),
    });
    printResult(result, flags.json);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function printResult(result: Awaited<ReturnType<typeof applyRestore>>, json: boolean | undefined): void {
  process.stdout.write(
    json ? `${JSON.stringify({ ok: true, ...result }, null, 2)}\n` : formatRestoreResult(result),
  );
}

/**
 * Registers `etcd-dr restore --config FILE --from BUNDLE [--identity FILE]... --plan | --yes [--resume]
 * [--stop-on-failure] [--force-other-cluster] [--work-dir DIR] [--json]`.
 */
export function registerRestore(program: Command): void {
  program
    .command('restore')
    .summary("restore a user cluster's etcd from a bundle")
    .description(
      'Check the bundle (hashes, decryption) and the target (the cluster the bundle came from, its API, the etcd-util image), then print the restore plan (--plan) or apply it (--yes): every step journaled in the work directory so that --resume continues after an interruption, and what was changed put back when a step fails.',
    )
    .requiredOption('--config <file>', 'etcd-dr.yaml describing the cluster')
    .requiredOption('--from <bundle>', 'the bundle directory or .tar to restore from')
    .option('--identity <file>', 'age identity file for an encrypted bundle (repeatable)', collect, [])
    .option('--plan', 'print the plan and change nothing')
    .option('--yes', 'apply the plan')
    .option('--resume', 'continue the interrupted restore journaled in the work directory (with --yes)')
    .option('--stop-on-failure', 'when a step fails, stop there for manual work instead of rolling back')
    .option('--force-other-cluster', 'restore even though the target is not the cluster the bundle came from')
    .option('--work-dir <dir>', 'journal and lock folder (default ~/.local/state/etcd-dr/restore/CLUSTER)')
    .option('--json', 'print one JSON document on stdout instead of text')
    .addHelpText(
      'after',
      '\nProgress goes to stderr. Exit status: 0 on success; 1 on a failure (one line `etcd-dr: error CODE: ...`\n' +
        'on stderr saying where things stand: refused before any change, rolled back, or stopped); 2 for a usage error.',
    )
    .action((flags: RestoreFlags) => runRestore(flags));
}
