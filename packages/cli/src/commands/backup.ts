import { resolve } from 'node:path';
import { type BackupProgressEvent, backupCluster, loadAgeRecipients, loadClusterConfig } from '@etcd-dr/sdk';
import type { Command } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { formatBackupSummary, formatProgressBar, formatProgressLine } from './format-backup-progress.js';

interface BackupFlags {
  config: string;
  out?: string;
  recipient: string[];
  recipientsFile: string[];
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Writes progress to stderr: a bar redrawn in place on a terminal, plain lines otherwise. */
function progressReporter(stream: NodeJS.WriteStream): (event: BackupProgressEvent) => void {
  const state = { lastQuarter: -1 };
  let barShown = false;
  return (event) => {
    if (stream.isTTY && event.kind === 'transfer') {
      stream.write(`\r${formatProgressBar(event)}`);
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

async function runBackup(flags: BackupFlags): Promise<void> {
  const config = await loadClusterConfig({ path: resolve(flags.config) });
  const recipients = await loadAgeRecipients({
    recipients: flags.recipient,
    recipientsFiles: flags.recipientsFile.map((path) => resolve(path)),
  });
  if (recipients.length === 0) {
    process.stderr.write(
      'etcd-dr: WARNING: no --recipient given: the bundle will NOT be encrypted, and its snapshot holds every Kubernetes Secret of the cluster; pass --recipient age1... or --recipients-file FILE\n',
    );
  }
  const result = await backupCluster({
    config,
    outputDirectory: resolve(flags.out ?? '.'),
    recipients,
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

/** Registers `etcd-dr backup --config FILE [--out DIR] [--recipient age1...]... [--recipients-file FILE]... [--json]`. */
export function registerBackup(program: Command): void {
  program
    .command('backup')
    .summary("back up a user cluster's etcd into a bundle")
    .description(
      "Take an etcd snapshot of a user cluster (Kubeception: from kube-etcd-0, or the first Ready member), stream it out with its SHA-256 checked, and write a bundle directory with the snapshot, the etcd certificates Secret and the objects a restore needs. Prints the bundle's path.",
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
    .option('--json', 'print one JSON document on stdout instead of text')
    .addHelpText(
      'after',
      '\nWithout a recipient the bundle is stored unencrypted (a loud warning says so): an etcd snapshot holds\n' +
        'every Kubernetes Secret. Progress goes to stderr. Exit status: 0 on success; 1 on a failure (one line\n' +
        '`etcd-dr: error CODE: ...` on stderr, and no bundle is left behind); 2 for a usage error.',
    )
    .action((flags: BackupFlags) => runBackup(flags));
}
