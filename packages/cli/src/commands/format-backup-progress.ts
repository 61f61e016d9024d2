import { type BackupClusterResult, type BackupProgressEvent, formatBytes } from '@etcd-dr/sdk';

/**
 * Pure: the progress line for an event when stderr is not a terminal, or undefined for events not worth a
 * line (`transfer` is shown at each quarter and at the end).
 */
export function formatProgressLine(
  event: BackupProgressEvent,
  state: { lastQuarter: number; file?: string | undefined },
): string | undefined {
  switch (event.kind) {
    case 'step':
      return event.status === 'done'
        ? `etcd-dr: ${event.step}${event.node ? ` ${event.node}` : ''} done${event.detail ? ` (${event.detail})` : ''}`
        : undefined;
    case 'resumed':
      return `etcd-dr: transfer ${event.reason}; resuming at byte ${event.offset} (attempt ${event.attempt})`;
    case 'transfer': {
      if (event.file !== state.file) {
        state.file = event.file;
        state.lastQuarter = -1;
      }
      const quarter = event.bytesTotal === 0 ? 4 : Math.floor((event.bytesDone / event.bytesTotal) * 4);
      if (quarter <= state.lastQuarter) return undefined;
      state.lastQuarter = quarter;
      return `etcd-dr: transfer ${event.file ? `${event.file} ` : ''}${formatBytes(event.bytesDone)} of ${formatBytes(event.bytesTotal)}`;
    }
  }
}

/**
 * Pure: the one-line bar drawn over itself on a terminal, `transfer [#####     ] 50% 1.0 MiB/2.0 MiB`, with
 * the file after `transfer` when given.
 */
export function formatProgressBar(options: {
  bytesDone: number;
  bytesTotal: number;
  file?: string | undefined;
  width?: number;
}): string {
  const width = options.width ?? 30;
  const ratio = options.bytesTotal === 0 ? 1 : Math.min(1, options.bytesDone / options.bytesTotal);
  const filled = Math.round(ratio * width);
  return `transfer ${options.file ? `${options.file} ` : ''}[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${Math.round(ratio * 100)}% ${formatBytes(options.bytesDone)}/${formatBytes(options.bytesTotal)}`;
}

/** Pure: what `etcd-dr backup` prints on stdout without --json. */
export function formatBackupSummary(result: BackupClusterResult): string {
  const { manifest } = result;
  const encrypted = manifest.files.some((file) => file.role === 'snapshot' && file.encryption === 'age');
  return [
    result.path,
    `  cluster   ${manifest.cluster.name} (${manifest.cluster.topology}, ${manifest.cluster.ha ? 'HA' : 'non-HA'}), from pod ${result.pod}`,
    ...(result.pkiNodes.length > 0 ? [`  pki       ${result.pkiNodes.join(', ')}`] : []),
    ...(result.adminPod ? [`  admin     etcd snapshot from pod kube-system/${result.adminPod}`] : []),
    `  snapshot  revision ${manifest.snapshot.revision}, ${manifest.snapshot.totalKeys} keys, ${formatBytes(result.snapshotBytes)}${encrypted ? ', age-encrypted' : ', NOT encrypted'}`,
    `  etcd      ${manifest.etcd.version}`,
    `  took      ${(result.durationMs / 1000).toFixed(1)} s${result.resumes > 0 ? ` (${result.resumes} resumed transfers)` : ''}`,
    ...result.warnings.map((warning) => `  warning   ${warning}`),
    '',
  ].join('\n');
}
