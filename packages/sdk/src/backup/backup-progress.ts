import type { BackupStep } from './backup-error.js';

/**
 * What a running backup reports, in order: each step with `status: 'started'` then `done` (the per-node steps
 * `pki` and `admin-pki` once per node, with `node`), and `transfer` in between with byte counts of the
 * snapshot being streamed (`file` is its path in the bundle: `snapshot.db` or `admin/snapshot.db`; at most
 * every 256 KiB), `resumed` after a dropped stream.
 */
export type BackupProgressEvent =
  | { kind: 'step'; step: BackupStep; status: 'started' | 'done'; node?: string; detail?: string }
  | { kind: 'transfer'; file?: string; bytesDone: number; bytesTotal: number }
  | { kind: 'resumed'; offset: number; attempt: number; reason: string };
