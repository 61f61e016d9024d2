import type { BackupClusterResult, BackupProgressEvent } from '@etcd-dr/sdk';

/** Pure: a byte count for humans, e.g. `12.3 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * Pure: the progress line for an event when stderr is not a terminal, or undefined for events not worth a
 * line (`transfer` is shown at each quarter and at the end).
 */
export function formatProgressLine(
  event: BackupProgressEvent,
  state: { lastQuarter: number },
): string | undefined {
  switch (event.kind) {
    case 'step':
      return event.status === 'done'
        ? `etcd-dr: ${event.step} done${event.detail ? ` (${event.detail})` : ''}`
        : undefined;
    case 'resumed':
      return `etcd-dr: transfer ${event.reason}; resuming at byte ${event.offset} (attempt ${event.attempt})`;
    case 'transfer': {
      const quarter = event.bytesTotal === 0 ? 4 : Math.floor((event.bytesDone / event.bytesTotal) * 4);
      if (quarter <= state.lastQuarter) return undefined;
      state.lastQuarter = quarter;
      return `etcd-dr: transfer ${formatBytes(event.bytesDone)} of ${formatBytes(event.bytesTotal)}`;
    }
  }
}

/** Pure: the one-line bar drawn over itself on a terminal, `transfer [#####     ] 50% 1.0 MiB/2.0 MiB`. */
export function formatProgressBar(options: {
  bytesDone: number;
  bytesTotal: number;
  width?: number;
}): string {
  const width = options.width ?? 30;
  const ratio = options.bytesTotal === 0 ? 1 : Math.min(1, options.bytesDone / options.bytesTotal);
  const filled = Math.round(ratio * width);
  return `transfer [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${Math.round(ratio * 100)}% ${formatBytes(options.bytesDone)}/${formatBytes(options.bytesTotal)}`;
}

/** Pure: what `etcd-dr backup` prints on stdout without --json. */
export function formatBackupSummary(result: BackupClusterResult): string {
  const { manifest } = result;
  const encrypted = manifest.files.some((file) => file.role === 'snapshot' && file.encryption === 'age');
  return [
    result.path,
    `  cluster   ${manifest.cluster.name} (${manifest.cluster.topology}, ${manifest.cluster.ha ? 'HA' : 'non-HA'}), from pod ${result.pod}`,
    `  snapshot  revision ${manifest.snapshot.revision}, ${manifest.snapshot.totalKeys} keys, ${formatBytes(result.snapshotBytes)}${encrypted ? ', age-encrypted' : ', NOT encrypted'}`,
    `  etcd      ${manifest.etcd.version}`,
    `  took      ${(result.durationMs / 1000).toFixed(1)} s${result.resumes > 0 ? ` (${result.resumes} resumed transfers)` : ''}`,
    ...result.warnings.map((warning) => `  warning   ${warning}`),
    '',
  ].join('\n');
}
