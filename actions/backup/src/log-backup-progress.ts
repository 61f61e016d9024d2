import { type BackupProgressEvent, formatBytes } from '@etcd-dr/sdk';

/** Where progress goes: `@actions/core`'s log functions. */
export interface ProgressLog {
  info(message: string): void;
  warning(message: string): void;
  startGroup(name: string): void;
  endGroup(): void;
}

/** Options of {@link createBackupProgressLogger}. */
export interface CreateBackupProgressLoggerOptions {
  log: ProgressLog;
  /** Title of the log group the backup runs in. */
  title: string;
}

/**
 * Turns the SDK's typed backup events into one collapsible log group: a line per step, the transfer at every
 * 10 % (a 500 MB snapshot would otherwise print thousands of lines), a warning per resumed stream.
 * `close` ends the group; call it whatever happens.
 */
export function createBackupProgressLogger(options: CreateBackupProgressLoggerOptions): {
  onProgress: (event: BackupProgressEvent) => void;
  close: () => void;
} {
  const { log } = options;
  let open = false;
  let lastTenth = -1;
  const ensureOpen = () => {
    if (!open) log.startGroup(options.title);
    open = true;
  };
  return {
    onProgress: (event) => {
      ensureOpen();
      if (event.kind === 'step') {
        if (event.status === 'done')
          log.info(`${event.step}: done${event.detail ? ` (${event.detail})` : ''}`);
        else log.info(`${event.step}: started`);
      } else if (event.kind === 'transfer') {
        const tenth = event.bytesTotal > 0 ? Math.floor((event.bytesDone / event.bytesTotal) * 10) : 10;
        if (tenth > lastTenth) {
          lastTenth = tenth;
          log.info(
            `transfer: ${formatBytes(event.bytesDone)} of ${formatBytes(event.bytesTotal)} (${tenth * 10} %)`,
          );
        }
      } else {
        log.warning(`transfer resumed at byte ${event.offset} (attempt ${event.attempt}): ${event.reason}`);
      }
    },
    close: () => {
      if (open) log.endGroup();
      open = false;
    },
  };
}
