import type { BackupStep } from './backup-error.js';

/**
 * What a running backup reports, in order: each step once with `status: 'started'` and once `done`, and
 * `transfer` in between with byte counts (at most every 256 KiB) and `resumed` after a dropped stream.
 */
export type BackupProgressEvent =
  | { kind: 'step'; step: BackupStep; status: 'started' | 'done'; detail?: string }
  | { kind: 'transfer'; bytesDone: number; bytesTotal: number }
  | { kind: 'resumed'; offset: number; attempt: number; reason: string };
