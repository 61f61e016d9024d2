import { open, stat } from 'node:fs/promises';
import { inspectSnapshot } from '@etcd-dr/sdk';
import type { Command } from 'commander';
import { formatBundleInspection } from './format-bundle-inspection.js';
import { formatInspection } from './format-inspection.js';
import { inspectBundle } from './inspect-bundle.js';

interface InspectFlags {
  json?: boolean;
}

/**
 * What `PATH` is: a bundle (a directory, or a file with a tar header) or a snapshot file (anything else,
 * including a missing path, which the snapshot reader reports with its own error code).
 */
export async function detectInspectTarget(options: { path: string }): Promise<'snapshot' | 'bundle'> {
  const stats = await stat(options.path).catch(() => undefined);
  if (stats?.isDirectory()) return 'bundle';
  if (stats?.isFile() && (await hasTarMagic(options.path))) return 'bundle';
  return 'snapshot';
}

// A bbolt file never has "ustar" at byte 257 (its first page is a meta page followed by zeros).
async function hasTarMagic(path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const block = Buffer.alloc(512);
    const { bytesRead } = await handle.read(block, 0, 512, 0);
    return bytesRead === 512 && block.toString('latin1', 257, 262) === 'ustar';
  } finally {
    await handle.close();
  }
}

async function runInspect(path: string, flags: InspectFlags): Promise<void> {
  if ((await detectInspectTarget({ path })) === 'bundle') {
    const inspection = await inspectBundle({ path });
    process.stdout.write(
      flags.json
        ? `${JSON.stringify({ ok: true, ...inspection }, null, 2)}\n`
        : formatBundleInspection(inspection),
    );
    return;
  }
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
    .summary('check a snapshot file or a backup bundle offline: integrity, cluster, revision, live keys')
    .description(
      'Check an etcd snapshot file offline and list what it holds: its trailing SHA-256, revision, key ' +
        'counts (as `etcdctl snapshot status` counts them), compaction, and live keys per resource and namespace. ' +
        'Given a backup bundle (a directory or a .tar written by etcd-dr), first verify every file against ' +
        'the size and SHA-256 in its manifest, then show the cluster it came from, its files and its snapshot.',
    )
    .argument(
      '<path>',
      'snapshot file from `etcdctl snapshot save` (or a raw copy of member/snap/db), or a bundle directory or .tar',
    )
    .option('--json', 'print one JSON document instead of text')
    .addHelpText(
      'after',
      '\nExit status: 0 when the snapshot is readable (also for a raw member/snap/db copy without hash:\n' +
        'reported as "unhashed", restore needs --skip-hash-check) or the bundle verifies and its snapshot\n' +
        'is readable (an age-encrypted snapshot is verified but not read); 1 when it is missing, truncated,\n' +
        'not a snapshot, corrupt or fails its SHA-256 check, or a bundle has no manifest, a newer format\n' +
        'version, or a missing, changed or unlisted file (one line on stderr); 2 for a usage error.',
    )
    .action((path: string, flags: InspectFlags) => runInspect(path, flags));
}
