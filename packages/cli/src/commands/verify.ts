import { resolve } from 'node:path';
import { loadAgeIdentities, loadClusterConfig } from '@etcd-dr/sdk';
import { type Command, InvalidArgumentError } from 'commander';
import { formatVerification } from './format-verification.js';

interface VerifyFlags {
  config: string;
  against?: string;
  identity: string[];
  gkectl?: string;
  skipGkectl?: boolean;
  gkectlTimeout: number;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new InvalidArgumentError('must be a positive number of seconds');
  return seconds;
}

async function runVerify(flags: VerifyFlags): Promise<void> {
  // Loaded on use: it would add to the start of every other command.
  const { readBundleInventory, VerifyError, verifyCluster } = await import('@etcd-dr/verify');
  if (flags.gkectl !== undefined && flags.skipGkectl) {
    throw new VerifyError({
      code: 'VERIFY_OPTIONS_INVALID',
      message: '--gkectl and --skip-gkectl were both given',
      remedy: 'pass --gkectl PATH to run that gkectl, or --skip-gkectl to run only the native checks',
    });
  }
  const config = await loadClusterConfig({ path: resolve(flags.config) });
  const identities =
    flags.identity.length > 0
      ? await loadAgeIdentities({ identityFiles: flags.identity.map((path) => resolve(path)) })
      : [];
  const against = flags.against
    ? await readBundleInventory({ bundlePath: resolve(flags.against), identities })
    : undefined;
  const verification = await verifyCluster({
    config,
    ...(against ? { against } : {}),
    gkectl: {
      ...(flags.skipGkectl ? { skip: true } : {}),
      ...(flags.gkectl !== undefined ? { path: resolve(flags.gkectl) } : {}),
      timeoutMs: flags.gkectlTimeout * 1000,
    },
  });
  process.stdout.write(
    flags.json
      ? `${JSON.stringify({ ok: true, ...verification }, null, 2)}\n`
      : formatVerification(verification),
  );
  if (verification.verdict !== 'healthy') process.exitCode = 1;
}

/** Registers `etcd-dr verify --config FILE [--against BUNDLE] [--identity FILE]... [--gkectl PATH | --skip-gkectl] [--json]`. */
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .summary('check that a user cluster is healthy, and compare it with a bundle')
    .description(
      "Run `gkectl diagnose cluster` when gkectl is available (else say it is skipped and why) and the native checks: every etcd member healthy, members agreeing on the cluster ID and revision, control-plane pods Ready, the user API answering. With --against, compare the live keys per resource and namespace with the bundle's snapshot.",
    )
    .requiredOption('--config <file>', 'etcd-dr.yaml describing the cluster')
    .option('--against <bundle>', 'a bundle (directory or .tar) to compare the live inventory with')
    .option('--identity <file>', 'age identity file for an encrypted bundle (repeatable)', collect, [])
    .option('--gkectl <path>', 'the gkectl binary (default: gkectl from PATH, skipped when there is none)')
    .option('--skip-gkectl', 'run only the native checks')
    .option('--gkectl-timeout <seconds>', 'limit of one gkectl diagnose run', parseSeconds, 900)
    .option('--json', 'print one JSON document on stdout instead of text')
    .addHelpText(
      'after',
      '\nExit status: 0 when the cluster is healthy; 1 when a check failed (a gkectl that says unhealthy, hangs\n' +
        'past its timeout or prints what cannot be read counts as failed), or on an error (one line\n' +
        '`etcd-dr: error CODE: ...` on stderr); 2 for a usage error. An inventory difference alone does not fail.',
    )
    .action((flags: VerifyFlags) => runVerify(flags));
}
