import { closeSync, openSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { openBboltReader } from './bbolt-reader.js';
import { sha256InWorker } from './sha256-in-worker.js';
import { snapshotErrors } from './snapshot-error.js';

/** Length of the SHA-256 that `etcdctl snapshot save` appends. */
export const snapshotHashLength = 32;

/** What the size of a snapshot file says about its trailing hash. */
export type SnapshotLayout = 'hashed' | 'unhashed' | 'truncated';

/**
 * Pure: a bbolt file is a whole number of pages, so `size % pageSize` is 32 when `etcdctl snapshot save`
 * appended its SHA-256, 0 for a raw copy of `member/snap/db`, and anything else for a cut-off file.
 */
export function classifySnapshotLayout(options: { fileSize: number; pageSize: number }): SnapshotLayout {
  const remainder = options.fileSize % options.pageSize;
  if (remainder === snapshotHashLength) return 'hashed';
  if (remainder === 0) return 'unhashed';
  return 'truncated';
}

/**
 * The result of the trailing-hash check. `ok` and `mismatch` carry both hex digests; `unhashed` is a raw
 * copy of `member/snap/db`: not corrupt, but nothing proves it intact and restore needs `--skip-hash-check`.
 */
export type SnapshotHashCheck =
  | { verdict: 'ok'; sha256: string }
  | { verdict: 'mismatch'; expected: string; actual: string }
  | { verdict: 'unhashed' };

/** Options of {@link checkSnapshotHash}. */
export interface CheckSnapshotHashOptions {
  path: string;
  /** The bbolt page size; read from the file's meta page when omitted. */
  pageSize?: number;
}

/**
 * Verifies the trailing SHA-256 of a snapshot by reading the file once on a worker thread (memory bounded
 * by one 4 MiB read buffer). A mismatch is reported, not thrown, so callers choose; see {@link inspectSnapshot}.
 * @throws SnapshotError `SNAPSHOT_NOT_FOUND`, `SNAPSHOT_TRUNCATED`, `SNAPSHOT_NOT_BBOLT`, `SNAPSHOT_CORRUPT`.
 */
export async function checkSnapshotHash(options: CheckSnapshotHashOptions): Promise<SnapshotHashCheck> {
  const { path } = options;
  let pageSize = options.pageSize;
  if (pageSize === undefined) {
    const reader = openBboltReader({ path });
    pageSize = reader.meta.pageSize;
    reader.close();
  }
  const fileSize = await stat(path).then(
    (stats) => stats.size,
    (error: NodeJS.ErrnoException) => {
      throw snapshotErrors.notFound(path, error.code ?? String(error), error);
    },
  );
  return startSnapshotHashCheck({ path, fileSize, pageSize });
}

/**
 * Starts the trailing-hash check synchronously (layout verdict, trailer read, worker start) and returns
 * the pending result, so the caller can read the file's pages on its own thread meanwhile.
 * @throws SnapshotError `SNAPSHOT_TRUNCATED` (synchronously) when the size fits no layout.
 */
export function startSnapshotHashCheck(options: {
  path: string;
  fileSize: number;
  pageSize: number;
}): Promise<SnapshotHashCheck> {
  const { path, fileSize, pageSize } = options;
  const layout = classifySnapshotLayout({ fileSize, pageSize });
  if (layout === 'unhashed') return Promise.resolve({ verdict: 'unhashed' });
  if (layout === 'truncated') {
    throw snapshotErrors.truncated(
      path,
      `its size ${fileSize} is neither a whole number of ${pageSize}-byte pages nor that plus a 32-byte SHA-256`,
    );
  }
  const dataSize = fileSize - snapshotHashLength;
  const expected = readTrailer(path, dataSize);
  return sha256InWorker({ path, length: dataSize }).then(({ digest: actual, hashedBytes }) => {
    if (hashedBytes !== dataSize) throw snapshotErrors.truncated(path, 'the file shrank while being read');
    return expected === actual
      ? { verdict: 'ok', sha256: actual }
      : { verdict: 'mismatch', expected, actual };
  });
}

function readTrailer(path: string, offset: number): string {
  const fd = openSync(path, 'r');
  try {
    const trailer = Buffer.alloc(snapshotHashLength);
    const bytesRead = readSync(fd, trailer, 0, snapshotHashLength, offset);
    return trailer.subarray(0, bytesRead).toString('hex');
  } finally {
    closeSync(fd);
  }
}
