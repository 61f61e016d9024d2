import { openBboltReader } from './bbolt-reader.js';
import {
  classifySnapshotLayout,
  type SnapshotHashCheck,
  startSnapshotHashCheck,
} from './check-snapshot-hash.js';
import { type EtcdBackendScan, type SnapshotStatus, scanEtcdBackend } from './scan-etcd-backend.js';
import { snapshotErrors } from './snapshot-error.js';
import { type RegistrySummary, summarizeRegistryKeys } from './summarize-registry-keys.js';

/** Options of {@link inspectSnapshot}. */
export interface InspectSnapshotOptions {
  /** The snapshot file: written by `etcdctl snapshot save`, or a raw copy of `member/snap/db`. */
  path: string;
  /** Throw `SNAPSHOT_UNHASHED` for a file without a trailing SHA-256. Default false (reported, not thrown). */
  requireHash?: boolean;
  /** Report a SHA-256 mismatch in `integrity` and read the file anyway. Default false (throw). */
  allowHashMismatch?: boolean;
}

/** Everything `etcd-dr inspect` shows about a snapshot file. */
export interface SnapshotInspection extends Omit<EtcdBackendScan, 'liveKeys'>, RegistrySummary {
  path: string;
  fileSize: number;
  pageSize: number;
  /** The trailing SHA-256 verdict. */
  integrity: SnapshotHashCheck;
  /** The numbers of `etcdctl snapshot status`, computed the same way. */
  status: SnapshotStatus;
}

/**
 * Reads a snapshot file offline, in bounded memory (positional reads; no mmap, no whole-file load):
 * checks its trailing SHA-256, then reads the etcd backend inside for revision, key counts, compaction
 * and live keys per resource and namespace.
 * @throws SnapshotError `SNAPSHOT_NOT_FOUND`, `SNAPSHOT_TRUNCATED`, `SNAPSHOT_NOT_BBOLT`, `SNAPSHOT_CORRUPT`,
 *   `SNAPSHOT_HASH_MISMATCH` (unless `allowHashMismatch`), `SNAPSHOT_UNHASHED` (only with `requireHash`).
 */
export async function inspectSnapshot(options: InspectSnapshotOptions): Promise<SnapshotInspection> {
  const { path } = options;
  const reader = openBboltReader({ path });
  try {
    if (
      options.requireHash &&
      classifySnapshotLayout({ fileSize: reader.fileSize, pageSize: reader.meta.pageSize }) === 'unhashed'
    ) {
      throw snapshotErrors.unhashed(path);
    }
    const hashing = startSnapshotHashCheck({
      path,
      fileSize: reader.fileSize,
      pageSize: reader.meta.pageSize,
    });
    // Stop the worker's result from counting as unhandled while this thread scans.
    hashing.catch(() => undefined);
    let scan: EtcdBackendScan;
    try {
      scan = await scanEtcdBackend({ reader });
    } catch (error) {
      // Damage the hash explains is reported as a hash mismatch, the clearer verdict.
      const integrity = await hashing.catch(() => undefined);
      if (integrity?.verdict === 'mismatch')
        throw snapshotErrors.hashMismatch(path, integrity.expected, integrity.actual);
      throw error;
    }
    const integrity = await hashing;
    if (integrity.verdict === 'mismatch' && !options.allowHashMismatch) {
      throw snapshotErrors.hashMismatch(path, integrity.expected, integrity.actual);
    }
    const { liveKeys, ...rest } = scan;
    return {
      path,
      fileSize: reader.fileSize,
      pageSize: reader.meta.pageSize,
      integrity,
      ...rest,
      ...summarizeRegistryKeys({ keys: liveKeys }),
    };
  } finally {
    reader.close();
  }
}
