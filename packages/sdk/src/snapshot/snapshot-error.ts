import { EtcdDrError, type EtcdDrErrorOptions } from '../errors/etcd-dr-error.js';

/**
 * - `SNAPSHOT_NOT_FOUND`: the path does not exist or cannot be read as a file.
 * - `SNAPSHOT_TRUNCATED`: the file is empty or shorter than its own bbolt metadata says.
 * - `SNAPSHOT_NOT_BBOLT`: the file does not start with a bbolt meta page (not an etcd snapshot).
 * - `SNAPSHOT_HASH_MISMATCH`: the trailing SHA-256 does not match the content.
 * - `SNAPSHOT_CORRUPT`: the bbolt structure or the etcd data inside is inconsistent.
 * - `SNAPSHOT_UNHASHED`: the file has no trailing SHA-256 but the caller required one.
 */
export type SnapshotErrorCode =
  | 'SNAPSHOT_NOT_FOUND'
  | 'SNAPSHOT_TRUNCATED'
  | 'SNAPSHOT_NOT_BBOLT'
  | 'SNAPSHOT_HASH_MISMATCH'
  | 'SNAPSHOT_CORRUPT'
  | 'SNAPSHOT_UNHASHED';

/** A snapshot file cannot be trusted or read; `path` names the file. */
export class SnapshotError extends EtcdDrError {
  declare readonly code: SnapshotErrorCode;
  readonly path: string;

  constructor(options: EtcdDrErrorOptions & { code: SnapshotErrorCode; path: string }) {
    super(options);
    this.name = 'SnapshotError';
    this.path = options.path;
  }
}

const retake = 'take the snapshot again with `etcdctl snapshot save` (or use another copy)';

/** Builds the standard one-line errors, so every reader words them the same way. */
export const snapshotErrors = {
  notFound: (path: string, reason: string, cause?: unknown) =>
    new SnapshotError({
      code: 'SNAPSHOT_NOT_FOUND',
      message: `cannot read snapshot ${path}: ${reason}`,
      remedy: 'pass the path of a file written by `etcdctl snapshot save`',
      path,
      cause,
    }),
  truncated: (path: string, detail: string) =>
    new SnapshotError({
      code: 'SNAPSHOT_TRUNCATED',
      message: `snapshot ${path} is truncated: ${detail}`,
      remedy: `the copy or the save did not finish; ${retake}`,
      path,
    }),
  notBbolt: (path: string, detail: string) =>
    new SnapshotError({
      code: 'SNAPSHOT_NOT_BBOLT',
      message: `${path} is not an etcd snapshot: ${detail}`,
      remedy: 'pass a file written by `etcdctl snapshot save` or a copy of member/snap/db',
      path,
    }),
  corrupt: (path: string, detail: string) =>
    new SnapshotError({
      code: 'SNAPSHOT_CORRUPT',
      message: `snapshot ${path} is corrupt: ${detail}`,
      remedy: `do not restore from it; ${retake}`,
      path,
    }),
  hashMismatch: (path: string, expected: string, actual: string) =>
    new SnapshotError({
      code: 'SNAPSHOT_HASH_MISMATCH',
      message: `snapshot ${path} fails its SHA-256 check: the file says ${expected}, its content hashes to ${actual}`,
      remedy: `the file was changed or damaged after it was saved; do not restore from it; ${retake}`,
      path,
    }),
  unhashed: (path: string) =>
    new SnapshotError({
      code: 'SNAPSHOT_UNHASHED',
      message: `snapshot ${path} has no trailing SHA-256 (a raw copy of member/snap/db), so its integrity cannot be checked`,
      remedy: 'take a snapshot with `etcdctl snapshot save`, or restore this one with --skip-hash-check',
      path,
    }),
};
