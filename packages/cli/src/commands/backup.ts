import { resolve } from 'node:path';
import {
  type BackupProgressEvent,
  backupCluster,
  type ClusterConfig,
  connectKube,
  detectTopology,
  loadAgeRecipients,
  loadClusterConfig,
  planBackup,
} from '@etcd-dr/sdk';
import type { Command } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { formatBackupPlan } from './format-backup-plan.js';
import { formatBackupSummary, formatProgressBar, formatProgressLine } from './format-backup-progress.js';

interface BackupFlags {
  config: string;
  out?: string;
  recipient: string[];
  recipientsFile: string[];
  json?: boolean;
  plan?: boolean;
  admin: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Writes progress to stderr: a bar redrawn in place on a terminal, plain lines otherwise. */
function progressReporter(stream: NodeJS.WriteStream): (event: BackupProgressEvent) => void {
  const state: { lastQuarter: number; file?: string | undefined } = { lastQuarter: -1 };
  let barShown = false;
  return (event) => {
    if (stream.isTTY && event.kind === 'transfer') {
      stream.write(`\r${formatProgressBar(event)}\x1b[K`);
      barShown = true;
      return;
    }
    const line = formatProgressLine(event, state);
    if (line === undefined) return;
    if (barShown) {
      stream.write('\n');
      barShown = false;
    }
    stream.write(`${line}\n`);
  };
}

/** Reads the cluster (only when the topology is `auto`) and prints the plan; changes nothing. */
async function printPlan(options: {
  config: ClusterConfig;
  flags: BackupFlags;
  encrypted: boolean;
}): Promise<void> {
  const { config, flags } = options;
  const topology =
    config.userCluster.topology === 'auto'
      ? await detectTopology({
          userCluster: await connectKube({ kubeconfigPath: config.userCluster.kubeconfig }),
          clusterName: config.userCluster.name,
        })
      : config.userCluster.topology;
  const plan = planBackup({ config, topology, includeAdmin: flags.admin, encrypted: options.encrypted });
  process.stdout.write(flags.json ? `${JSON.stringify(plan, null, 2)}\n` : formatBackupPlan(plan));
}

async function runBackup(flags: BackupFlags): Promise<void> {
  const config = await loadClusterConfig({ path: resolve(flags.config) });
  const recipients = await loadAgeRecipients({
    recipients: flags.recipient,
    recipientsFiles: flags.recipientsFile.map((path) => resolve(path)),
  });
  if (flags.plan) {
    await printPlan({ config, flags, encrypted: recipients.length > 0 });
    return;
  }
  if (recipients.length === 0) {
    process.stderr.write(
      'etcd-dr: WARNING: no --recipient given: the bundle will NOT be encrypted, and its snapshot holds every Kubernetes Secret of the cluster (and its PKI archives the private keys of the control-plane nodes); pass --recipient age1... or --recipients-file FILE\n',
    );
  }
  const result = await backupCluster({
    config,
    outputDirectory: resolve(flags.out ?? '.'),
    recipients,
    includeAdmin: flags.admin,
    tool: { name: 'etcd-dr', version: packageJson.version },
    onProgress: progressReporter(process.stderr),
  });
  if (flags.json) {
    const { manifest, ...rest } = result;
    process.stdout.write(
      `${JSON.stringify({ ok: true, ...rest, cluster: manifest.cluster, etcd: manifest.etcd, snapshot: manifest.snapshot, files: manifest.files }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(formatBackupSummary(result));
  }
}

/**
 * Registers `etcd-dr backup --config FILE [--out DIR] [--recipient age1...]... [--recipients-file FILE]...
 * [--no-admin] [--plan] [--json]`.
 */
export function registerBackup(program: Command): void {
  program
    .command('backup')
    .summary("back up a user cluster's etcd into a bundle")
    .description(
      "Take an etcd snapshot of a user cluster (Kubeception: from kube-etcd-0, or the first Ready member; Controlplane V2: every member must be healthy), stream it out with its SHA-256 checked, archive the PKI of every control-plane node over SSH (Controlplane V2), back up the admin cluster's etcd and control-plane PKI (unless --no-admin), and write a bundle directory with the objects a restore needs. Prints the bundle's path.",
    )
    .requiredOption('--config <file>', 'etcd-dr.yaml describing the cluster')
    .option('--out <dir>', 'folder the bundle is created in (default: the current folder)')
    .option('--recipient <age1...>', 'encrypt to this age recipient (repeatable)', collect, [])
    .option(
      '--recipients-file <file>',
      'encrypt to the age recipients in this file (repeatable)',
      collect,
      [],
    )
    .option('--no-admin', "leave out the admin cluster's etcd snapshot and control-plane node PKI")
    .option('--plan', 'print the steps and their equivalent kubectl/ssh commands, and change nothing')
    .option('--json', 'print one JSON document on stdout instead of text')
    .addHelpText(
      'after',
      '\nWithout a recipient the bundle is stored unencrypted (a loud warning says so): an etcd snapshot holds\n' +
        'every Kubernetes Secret. Progress goes to stderr. Exit status: 0 on success; 1 on a failure (one line\n' +
        '`etcd-dr: error CODE: ...` on stderr, and no bundle is left behind); 2 for a usage error.',
    )
    .action((flags: BackupFlags) => runBackup(flags));
}
