import type { BboltReader, DeferredValue } from './bbolt-reader.js';
import { Crc32c, combineCrc32c } from './crc32c.js';
import { type Crc32cRangeWorker, startCrc32cRangeWorker } from './crc32c-range-worker.js';
import { keyValueKeyRange } from './decode-key-value.js';
import { decodeRevisionKey } from './revision-key.js';
import { snapshotErrors } from './snapshot-error.js';

/** The numbers `etcdctl snapshot status` prints, computed the same way (etcd 3.4 `snapshot.Manager.Status`). */
export interface SnapshotStatus {
  /** CRC-32C over every top-level bucket name, then each of its keys and values, in key order. */
  hash: number;
  /** Main revision of the last (highest) key in bucket `key`; 0 when the bucket is empty. */
  revision: number;
  /** Entries in all top-level buckets together (not only Kubernetes keys, not only live ones). */
  totalKey: number;
  /** Bytes in use by bbolt: pages in use times page size. */
  totalSize: number;
}

/** What a full pass over an etcd backend yields. */
export interface EtcdBackendScan {
  status: SnapshotStatus;
  /** `finishedCompactRev` from bucket `meta`: revisions at or below it were compacted away. */
  compactedRevision: number | undefined;
  /** `scheduledCompactRev` from bucket `meta`; above `compactedRevision` while a compaction was running. */
  scheduledCompactRevision: number | undefined;
  /** `consistent_index` from bucket `meta`: the raft index the backend has applied. */
  consistentIndex: number | undefined;
  /** Entries in bucket `key` (every stored revision of every key, tombstones included). */
  keyRevisions: number;
  /** Each key whose latest stored revision is not a tombstone, in no particular order. */
  liveKeys: string[];
}

/** Options of {@link scanEtcdBackend}. */
export interface ScanEtcdBackendOptions {
  reader: BboltReader;
  /**
   * Values longer than this (bytes) on overflow pages are read and checksummed by a worker thread while
   * this thread reads the rest. Default 64 KiB; `Infinity` does all the work on this thread.
   */
  offloadValuesOver?: number;
}

const keyBucket = 'key';
const metaBucket = 'meta';

type CrcPiece = { crc: number; length: number } | { remote: number; length: number };

/**
 * Reads every bucket of an etcd bbolt backend once: the `etcdctl snapshot status` numbers, compaction
 * info, and the live keys. Memory grows with the number of distinct live keys (their names only).
 * @throws SnapshotError `SNAPSHOT_CORRUPT` when a page, a revision key or a KeyValue cannot be decoded.
 */
export async function scanEtcdBackend(options: ScanEtcdBackendOptions): Promise<EtcdBackendScan> {
  const { reader } = options;
  const offload = options.offloadValuesOver ?? 64 * 1024;
  const worker = Number.isFinite(offload) ? startCrc32cRangeWorker({ path: reader.path }) : undefined;
  try {
    const pieces: CrcPiece[] = [];
    let segment = new Crc32c();
    const hashDeferred = (range: DeferredValue, running: Crc32cRangeWorker) => {
      pieces.push({ crc: segment.digest(), length: segment.length });
      pieces.push({ remote: running.add(range), length: range.length });
      segment = new Crc32c();
    };
    let revision = 0;
    let totalKey = 0;
    let keyRevisions = 0;
    const meta = new Map<string, Buffer>();
    const live = new Map<string, true>();

    reader.forEach(reader.rootBucket, (name, _value, bucket) => {
      if (!bucket) {
        throw snapshotErrors.corrupt(
          reader.path,
          `top-level entry ${JSON.stringify(name.toString())} is not a bucket`,
        );
      }
      segment.update(name);
      const bucketName = name.toString('latin1');
      const isKeyBucket = bucketName === keyBucket;
      const isMetaBucket = bucketName === metaBucket;
      reader.forEach(
        bucket,
        (key, value, nested, deferred) => {
          segment.update(key);
          // etcdctl hashes a nested bucket's name only (bbolt hands it a nil value).
          if (deferred && worker) hashDeferred(deferred, worker);
          else if (!nested) segment.update(value);
          totalKey++;
          if (isKeyBucket) {
            keyRevisions++;
            const parsed = decodeRevisionKey(key);
            if (!parsed) {
              throw snapshotErrors.corrupt(
                reader.path,
                `bucket key holds a malformed revision ${key.toString('hex')}`,
              );
            }
            revision = parsed.main;
            let userKey: string;
            try {
              userKey = userKeyOf(value);
            } catch (error) {
              if (!deferred) throw corruptKeyValue(reader.path, parsed, error);
              // The key runs past the bytes on the leaf's first page: read the whole value.
              try {
                userKey = userKeyOf(reader.readBytes(deferred));
              } catch (retryError) {
                throw corruptKeyValue(reader.path, parsed, retryError);
              }
            }
            if (parsed.tombstone) live.delete(userKey);
            else live.set(userKey, true);
          } else if (isMetaBucket) {
            meta.set(key.toString('latin1'), Buffer.from(value));
          }
        },
        { deferValuesOver: offload },
      );
    });

    const remote = worker ? await worker.finish() : [];
    pieces.push({ crc: segment.digest(), length: segment.length });
    let hash = 0;
    for (const piece of pieces) {
      const crc = 'remote' in piece ? remote[piece.remote]! : piece.crc;
      hash = combineCrc32c({ first: hash, second: crc, secondLength: piece.length });
    }
    return {
      status: { hash, revision, totalKey, totalSize: reader.meta.pageCount * reader.meta.pageSize },
      compactedRevision: revisionOf(meta.get('finishedCompactRev')),
      scheduledCompactRevision: revisionOf(meta.get('scheduledCompactRev')),
      consistentIndex: uint64Of(meta.get('consistent_index')),
      keyRevisions,
      liveKeys: [...live.keys()],
    };
  } catch (error) {
    worker?.terminate();
    throw error;
  }
}

function userKeyOf(value: Buffer): string {
  const [start, end] = keyValueKeyRange(value);
  return value.toString('utf8', start, end);
}

function corruptKeyValue(path: string, revision: { main: number; sub: number }, error: unknown) {
  return snapshotErrors.corrupt(
    path,
    `revision ${revision.main}/${revision.sub} holds an undecodable KeyValue: ${(error as Error).message}`,
  );
}

function revisionOf(value: Buffer | undefined): number | undefined {
  return value ? decodeRevisionKey(value)?.main : undefined;
}

function uint64Of(value: Buffer | undefined): number | undefined {
  return value?.length === 8 ? value.readUInt32BE(0) * 2 ** 32 + value.readUInt32BE(4) : undefined;
}
