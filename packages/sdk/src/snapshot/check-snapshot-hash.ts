import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { openBboltReader } from './bbolt-reader.js';
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
 * Verifies the trailing SHA-256 of a snapshot by streaming the file once (memory bounded by the stream
 * chunk size). A mismatch is reported, not thrown, so callers choose; see {@link inspectSnapshot}.
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
  const layout = classifySnapshotLayout({ fileSize, pageSize });
  if (layout === 'unhashed') return { verdict: 'unhashed' };
  if (layout === 'truncated') {
    throw snapshotErrors.truncated(
      path,
      `its size ${fileSize} is neither a whole number of ${pageSize}-byte pages nor that plus a 32-byte SHA-256`,
    );
  }
  const dataSize = fileSize - snapshotHashLength;
  const hash = createHash('sha256');
  const trailer: Buffer[] = [];
  let position = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const dataPart = Math.max(0, Math.min(chunk.length, dataSize - position));
    if (dataPart > 0) hash.update(dataPart === chunk.length ? chunk : chunk.subarray(0, dataPart));
    if (dataPart < chunk.length) trailer.push(chunk.subarray(dataPart));
    position += chunk.length;
  }
  if (position !== fileSize) throw snapshotErrors.truncated(path, `the file changed size while being read`);
  const expected = Buffer.concat(trailer).toString('hex');
  const actual = hash.digest('hex');
  return expected === actual ? { verdict: 'ok', sha256: actual } : { verdict: 'mismatch', expected, actual };
}
