import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { type BboltMeta, type DecodedBboltMeta, decodeBboltMeta, pageHeaderSize } from './bbolt-meta.js';
import { snapshotErrors } from './snapshot-error.js';

const branchPageFlag = 0x01;
const leafPageFlag = 0x02;
const bucketLeafFlag = 0x01;
const elementSize = 16;
const bucketHeaderSize = 16;
/** How much of a deferred value is read for the visitor: enough for a KeyValue's key field. */
const deferredHeadBytes = 4096;
const fallbackPageSizes = [4096, 512, 1024, 2048, 8192, 16384, 32768, 65536];

/** A bucket: either a B+tree rooted at a page, or an inline bucket whose single leaf page sits in its value. */
export type BboltBucket = { kind: 'paged'; rootPageId: number } | { kind: 'inline'; page: Buffer };

/**
 * Called for each entry of a bucket in key order. `key` and `value` are views into a shared read buffer,
 * valid until the visitor reads other pages (e.g. enters `nested`): copy them to keep them. For a nested
 * bucket, `nested` is set and `value` is the raw bucket header.
 */
export type BboltVisitor = (
  key: Buffer,
  value: Buffer,
  nested: BboltBucket | undefined,
  deferred: DeferredValue | undefined,
) => void;

/**
 * Where a large value lies in the file when {@link ForEachOptions.deferValuesOver} skipped reading it;
 * `value` then holds only its first 4 KiB.
 */
export interface DeferredValue {
  offset: number;
  length: number;
}

/** Options of {@link BboltReader.forEach}. */
export interface ForEachOptions {
  /**
   * Values longer than this many bytes (which always sit on overflow pages when longer than a page) are
   * not read: the visitor gets their first 4 KiB and their location. Default: every value is read.
   */
  deferValuesOver?: number;
}

/** Options of {@link openBboltReader}. */
export interface OpenBboltReaderOptions {
  path: string;
  /**
   * Bytes read per positional read; nearby pages are served from this window. Default 256 KiB: larger
   * windows read more of the large values that deferral skips.
   */
  readAheadBytes?: number;
}

/**
 * A read-only bbolt (etcd backend) file reader that uses positional reads, never a whole-file load or
 * mmap, so memory stays bounded by the read-ahead window and the depth of the tree.
 */
export interface BboltReader {
  readonly path: string;
  readonly fileSize: number;
  /** The valid meta page with the highest transaction id, as bbolt picks it. */
  readonly meta: BboltMeta;
  readonly rootBucket: BboltBucket;
  /** Visits every entry of `bucket` in key order (nested buckets are reported, not entered). */
  forEach(bucket: BboltBucket, visit: BboltVisitor, options?: ForEachOptions): void;
  /** Finds a bucket by its path of names from the root, e.g. `['key']`. */
  findBucket(names: readonly string[]): BboltBucket | undefined;
  /** Reads `length` bytes at `offset` into a new buffer (e.g. a deferred value). */
  readBytes(range: DeferredValue): Buffer;
  close(): void;
}

/**
 * Opens a bbolt file and selects its meta page.
 * @throws SnapshotError `SNAPSHOT_NOT_FOUND`, `SNAPSHOT_TRUNCATED`, `SNAPSHOT_NOT_BBOLT` or `SNAPSHOT_CORRUPT`.
 */
export function openBboltReader(options: OpenBboltReaderOptions): BboltReader {
  const { path } = options;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw snapshotErrors.notFound(path, (error as NodeJS.ErrnoException).code ?? String(error), error);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw snapshotErrors.notFound(path, 'not a regular file');
    const meta = selectMeta(fd, path, stat.size);
    if (meta.pageCount * meta.pageSize > stat.size) {
      throw snapshotErrors.truncated(
        path,
        `its bbolt meta page counts ${meta.pageCount} pages of ${meta.pageSize} bytes (${meta.pageCount * meta.pageSize} bytes) but the file has ${stat.size}`,
      );
    }
    return new PositionalBboltReader({
      fd,
      path,
      fileSize: stat.size,
      meta,
      readAheadBytes: options.readAheadBytes ?? 256 * 1024,
    });
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function readAt(fd: number, offset: number, length: number, into?: Buffer): Buffer {
  const buffer = into ?? Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, offset + done);
    if (read === 0) break;
    done += read;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

function selectMeta(fd: number, path: string, fileSize: number): BboltMeta {
  if (fileSize === 0) throw snapshotErrors.truncated(path, 'the file is empty (0 bytes)');
  const first = decodeBboltMeta(readAt(fd, 0, Math.min(fileSize, 4096)));
  const candidates: DecodedBboltMeta[] = [first];
  const metaOnePageSizes = first.valid ? [first.meta.pageSize] : fallbackPageSizes;
  for (const pageSize of metaOnePageSizes) {
    if (pageSize >= fileSize) continue;
    const page = readAt(fd, pageSize, Math.min(pageSize, 4096));
    const decoded = decodeBboltMeta(page);
    if (decoded.valid && decoded.meta.pageSize === pageSize && page.readUInt32LE(0) === 1) {
      candidates.push(decoded);
      break;
    }
    if (first.valid) candidates.push(decoded);
  }
  const valid = candidates.flatMap((candidate) => (candidate.valid ? [candidate.meta] : []));
  if (valid.length === 0) {
    if (!first.valid && first.reason === 'too-short') {
      throw snapshotErrors.truncated(path, `only ${fileSize} bytes, less than one bbolt meta page`);
    }
    if (!first.valid && first.reason === 'bad-magic') {
      throw snapshotErrors.notBbolt(path, 'no bbolt magic number 0xED0CDAED in its first page');
    }
    throw snapshotErrors.corrupt(path, 'both bbolt meta pages fail their version or checksum check');
  }
  const meta = valid.reduce((best, candidate) =>
    candidate.transactionId > best.transactionId ? candidate : best,
  );
  if (meta.pageSize < 512 || meta.pageSize > 1 << 20 || (meta.pageSize & (meta.pageSize - 1)) !== 0) {
    throw snapshotErrors.corrupt(path, `implausible bbolt page size ${meta.pageSize}`);
  }
  if (meta.rootPageId < 2 || meta.rootPageId >= meta.pageCount) {
    throw snapshotErrors.corrupt(
      path,
      `root page ${meta.rootPageId} is outside the ${meta.pageCount} pages in use`,
    );
  }
  return meta;
}

class PositionalBboltReader implements BboltReader {
  readonly path: string;
  readonly fileSize: number;
  readonly meta: BboltMeta;
  readonly rootBucket: BboltBucket;
  readonly #fd: number;
  readonly #readAheadBytes: number;
  #windowBuffer: Buffer | undefined;
  #window: Buffer = Buffer.alloc(0);
  #windowOffset = 0;
  /** Counts window refills: a page viewed in the window before a refill must be read again. */
  #generation = 0;

  constructor(options: {
    fd: number;
    path: string;
    fileSize: number;
    meta: BboltMeta;
    readAheadBytes: number;
  }) {
    this.#fd = options.fd;
    this.path = options.path;
    this.fileSize = options.fileSize;
    this.meta = options.meta;
    this.#readAheadBytes = Math.max(options.readAheadBytes, options.meta.pageSize);
    this.rootBucket = { kind: 'paged', rootPageId: options.meta.rootPageId };
  }

  forEach(bucket: BboltBucket, visit: BboltVisitor, options: ForEachOptions = {}): void {
    const defer = options.deferValuesOver ?? Number.POSITIVE_INFINITY;
    if (bucket.kind === 'inline') {
      this.#visitPage(bucket.page, undefined, 0, visit, defer);
    } else {
      this.#visitPage(this.#readPage(bucket.rootPageId, defer), bucket.rootPageId, 0, visit, defer);
    }
  }

  findBucket(names: readonly string[]): BboltBucket | undefined {
    let bucket: BboltBucket | undefined = this.rootBucket;
    for (const name of names) {
      const wanted = Buffer.from(name);
      let found: BboltBucket | undefined;
      this.forEach(bucket, (key, _value, nested) => {
        if (nested && key.equals(wanted)) found = nested;
      });
      bucket = found;
      if (!bucket) return undefined;
    }
    return bucket;
  }

  readBytes(range: DeferredValue): Buffer {
    const bytes = readAt(this.#fd, range.offset, range.length);
    if (bytes.length !== range.length)
      throw this.#corrupt(`${range.length} bytes at ${range.offset} run past the end`);
    return bytes;
  }

  close(): void {
    closeSync(this.#fd);
  }

  #corrupt(detail: string) {
    return snapshotErrors.corrupt(this.path, detail);
  }

  #inWindow(offset: number, length: number): boolean {
    return offset >= this.#windowOffset && offset + length <= this.#windowOffset + this.#window.length;
  }

  #read(offset: number, length: number): Buffer {
    if (this.#inWindow(offset, length)) {
      return this.#window.subarray(offset - this.#windowOffset, offset - this.#windowOffset + length);
    }
    if (length > this.#readAheadBytes) return readAt(this.#fd, offset, length);
    // One buffer reused for every refill: fresh buffers cost a page fault per 4 KiB.
    this.#windowBuffer ??= Buffer.allocUnsafe(this.#readAheadBytes);
    const windowLength = Math.min(this.#readAheadBytes, this.fileSize - offset);
    this.#window = readAt(this.#fd, offset, windowLength, this.#windowBuffer.subarray(0, windowLength));
    this.#windowOffset = offset;
    this.#generation++;
    return this.#window.subarray(0, length);
  }

  /**
   * Reads a page with its overflow pages; with a finite `defer`, a leaf holding a value longer than
   * `defer` is returned as its first page only, and #visitPage fetches its elements one by one.
   */
  #readPage(pageId: number, defer: number): Buffer {
    const { pageSize, pageCount } = this.meta;
    if (pageId < 2 || pageId >= pageCount) {
      throw this.#corrupt(`a branch points to page ${pageId}, outside the ${pageCount} pages in use`);
    }
    const offset = pageId * pageSize;
    // Outside the window, peek at the page alone first: refilling the window at the start of a leaf
    // with large values would read the values that deferral is meant to skip.
    let page =
      this.#inWindow(offset, pageSize) || defer === Number.POSITIVE_INFINITY
        ? this.#read(offset, pageSize)
        : readAt(this.#fd, offset, pageSize);
    const headerId = page.readUInt32LE(0) + page.readUInt32LE(4) * 2 ** 32;
    if (headerId !== pageId) throw this.#corrupt(`page ${pageId} identifies itself as page ${headerId}`);
    const overflow = page.readUInt32LE(12);
    if (overflow > 0) {
      if (pageId + overflow >= pageCount) {
        throw this.#corrupt(`page ${pageId} overflows ${overflow} pages past the ${pageCount} pages in use`);
      }
      if (!this.#canDefer(page, defer)) page = this.#read(offset, (overflow + 1) * pageSize);
    } else if (!this.#isWindowView(page)) {
      page = this.#read(offset, pageSize);
    }
    return page;
  }

  #canDefer(firstPage: Buffer, defer: number): boolean {
    if (defer === Number.POSITIVE_INFINITY || firstPage.readUInt16LE(8) !== leafPageFlag) return false;
    const count = firstPage.readUInt16LE(10);
    if (pageHeaderSize + count * elementSize > firstPage.length) return false;
    for (let index = 0; index < count; index++) {
      if (firstPage.readUInt32LE(pageHeaderSize + index * elementSize + 12) > defer) return true;
    }
    return false;
  }

  #isWindowView(page: Buffer): boolean {
    return this.#windowBuffer !== undefined && page.buffer === this.#windowBuffer.buffer;
  }

  /** `pageId` is undefined for an inline bucket's page (a private copy, never a window view). */
  #visitPage(
    page: Buffer,
    pageId: number | undefined,
    depth: number,
    visit: BboltVisitor,
    defer: number,
  ): void {
    const where = pageId === undefined ? 'inline bucket' : `page ${pageId}`;
    if (depth > 64) throw this.#corrupt(`${where}: B+tree deeper than 64 levels (a page cycle)`);
    const flags = page.readUInt16LE(8);
    const count = page.readUInt16LE(10);
    if (pageHeaderSize + count * elementSize > page.length) {
      throw this.#corrupt(`${where}: ${count} elements do not fit in the page`);
    }
    if (flags === leafPageFlag) {
      const span = (page.readUInt32LE(12) + 1) * this.meta.pageSize;
      // Only the first page of a leaf with large values was read (see #canDefer): fetch each element.
      const partial = pageId !== undefined && page.length < span;
      if (partial) page = Buffer.from(page.subarray(0, pageHeaderSize + count * elementSize));
      const generation = this.#generation;
      for (let index = 0; index < count; index++) {
        if (pageId !== undefined && this.#generation !== generation && this.#isWindowView(page)) {
          // The visitor read other pages and the window moved under this page: take a private copy.
          page = readAt(this.#fd, pageId * this.meta.pageSize, page.length);
        }
        const element = pageHeaderSize + index * elementSize;
        const elementFlags = page.readUInt32LE(element);
        const keyStart = element + page.readUInt32LE(element + 4);
        const keyLength = page.readUInt32LE(element + 8);
        const valueLength = page.readUInt32LE(element + 12);
        const valueEnd = keyStart + keyLength + valueLength;
        if (valueEnd > (partial ? span : page.length)) {
          throw this.#corrupt(`${where}: element ${index} points past the page end`);
        }
        let entry = page;
        let entryStart = keyStart;
        let deferred: DeferredValue | undefined;
        if (partial) {
          const fileOffset = pageId * this.meta.pageSize + keyStart;
          if (valueLength > defer) {
            deferred = { offset: fileOffset + keyLength, length: valueLength };
            entry = readAt(this.#fd, fileOffset, keyLength + Math.min(valueLength, deferredHeadBytes));
          } else {
            entry = readAt(this.#fd, fileOffset, keyLength + valueLength);
          }
          entryStart = 0;
        }
        const key = entry.subarray(entryStart, entryStart + keyLength);
        const value = entry.subarray(
          entryStart + keyLength,
          entryStart + keyLength + (deferred ? entry.length - keyLength : valueLength),
        );
        const nested = elementFlags & bucketLeafFlag ? this.#bucketOf(value, where) : undefined;
        visit(key, value, nested, deferred);
      }
    } else if (flags === branchPageFlag) {
      // Children refill the window, so a branch page is kept as a private copy.
      if (this.#isWindowView(page)) page = Buffer.from(page);
      for (let index = 0; index < count; index++) {
        const element = pageHeaderSize + index * elementSize;
        const childId = page.readUInt32LE(element + 8) + page.readUInt32LE(element + 12) * 2 ** 32;
        this.#visitPage(this.#readPage(childId, defer), childId, depth + 1, visit, defer);
      }
    } else {
      throw this.#corrupt(`${where}: expected a branch or leaf page, found flags 0x${flags.toString(16)}`);
    }
  }

  #bucketOf(value: Buffer, where: string): BboltBucket {
    if (value.length < bucketHeaderSize) throw this.#corrupt(`${where}: nested bucket header is too short`);
    const rootPageId = value.readUInt32LE(0) + value.readUInt32LE(4) * 2 ** 32;
    if (rootPageId !== 0) return { kind: 'paged', rootPageId };
    // A copy: the visitor may keep the bucket or read other pages before entering it.
    const page = Buffer.from(value.subarray(bucketHeaderSize));
    if (page.length < pageHeaderSize) throw this.#corrupt(`${where}: inline bucket is too short`);
    return { kind: 'inline', page };
  }
}
