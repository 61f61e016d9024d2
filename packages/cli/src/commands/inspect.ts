import { stat } from 'node:fs/promises';
import { EtcdDrError, inspectSnapshot } from '@etcd-dr/sdk';
import type { Command } from 'commander';
import { formatInspection } from './format-inspection.js';

interface InspectFlags {
  json?: boolean;
}

/** What `PATH` is. Only snapshot files today; bundles (a directory or a `.tar`) will be told apart here. */
export async function detectInspectTarget(options: { path: string }): Promise<'snapshot'> {
  const stats = await stat(options.path).catch(() => undefined);
  if (stats?.isDirectory()) {
    throw new EtcdDrError({
      code: 'INSPECT_UNSUPPORTED',
      message: `${options.path} is a directory; inspect reads etcd snapshot files`,
      remedy: 'pass the path of a snapshot file (e.g. snapshot.db written by `etcdctl snapshot save`)',
    });
  }
  // A missing or unreadable path is reported by the snapshot reader, with its own error code.
  return 'snapshot';
}

async function runInspect(path: string, flags: InspectFlags): Promise<void> {
  await detectInspectTarget({ path });
  const inspection = await inspectSnapshot({ path });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ok: true, kind: 'snapshot', ...inspection }, null, 2)}\n`);
  } else {
    process.stdout.write(formatInspection(inspection));
  }
}

/** Registers `etcd-dr inspect PATH [--json]`. */
export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .summary('check an etcd snapshot file offline: integrity, revision, live keys per resource')
    .description(
      'Check an etcd snapshot file offline and list what it holds: its trailing SHA-256, revision, key ' +
        'counts (as `etcdctl snapshot status` counts them), compaction, and live keys per resource and namespace.',
    )
    .argument('<path>', 'snapshot file from `etcdctl snapshot save` (or a raw copy of member/snap/db)')
    .option('--json', 'print one JSON document instead of text')
    .addHelpText(
      'after',
      '\nExit status: 0 when the snapshot is readable (also for a raw member/snap/db copy without hash:\n' +
        'reported as "unhashed", restore needs --skip-hash-check); 1 when it is missing, truncated, not a\n' +
        'snapshot, corrupt or fails its SHA-256 check (one line on stderr); 2 for a usage error.',
    )
    .action((path: string, flags: InspectFlags) => runInspect(path, flags));
}
