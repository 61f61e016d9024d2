import { type Command, Option } from 'commander';
import type { DrillFlags } from './run-drill-command.js';

const collect = (value: string, previous: string[]) => [...previous, value];

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
    // Loaded on use: @etcd-dr/verify and @etcd-dr/sandbox would add ~70 ms to the start of every other command.
    .action(async (flags: DrillFlags) => (await import('./run-drill-command.js')).runDrillCommand(flags));
}
