import { open } from 'node:fs/promises';
import { TarError } from './tar-error.js';
import {
  decodeTarHeader,
  isZeroBlock,
  parsePaxRecords,
  type TarHeaderFields,
  tarBlockSize,
  tarEntryTypeOf,
  tarPadding,
  tarTypeHasData,
} from './tar-header.js';

/** One member of an on-disk tar archive, with where its data lies. */
export interface TarEntry extends TarHeaderFields {
  /** Byte offset of the entry's first header block (its pax or GNU long-name header when it has one). */
  headerOffset: number;
  /** Byte offset of the entry's data in the archive file. */
  dataOffset: number;
}

/** Options of {@link readTarIndex}. */
export interface ReadTarIndexOptions {
  /** The tar file (uncompressed: ustar, pax or GNU format). */
  path: string;
  /**
   * Where the archive starts in the file. Default 0. With `length`, this reads a tar stored inside another
   * file without extracting it, e.g. `pki/NODE.tar` inside a `.tar` bundle at the byte range `locateFile`
   * reports. Offsets in the result stay absolute, so `openTarEntry` works with the same `path`.
   */
  offset?: number;
  /** Bytes of the archive from `offset`. Default the rest of the file. */
  length?: number;
}

/** Largest pax or GNU long-name header data accepted; real ones are a few hundred bytes. */
const maximumMetaSize = 1024 * 1024;

/**
 * Lists the members of a tar file by reading only its headers (positional reads; file data is skipped,
 * so memory stays bounded whatever the archive's size). Understands POSIX ustar (with `prefix`), pax `x`
 * and `g` headers (path, linkpath, size, uid, gid, uname, gname, mtime) and GNU `L`/`K` long names and
 * base-256 numbers, i.e. what `tar -cf` of GNU tar 1.34 writes in its default and `--format=pax` modes.
 *
 * The archive must end with a zero block, as every tar writer does; an archive cut anywhere short of it
 * is reported as truncated.
 * @throws TarError `TAR_NOT_FOUND`, `TAR_TRUNCATED` or `TAR_HEADER_INVALID` (naming the byte offset).
 */
export async function readTarIndex(options: ReadTarIndexOptions): Promise<TarEntry[]> {
  const { path } = options;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new TarError({
      code: 'TAR_NOT_FOUND',
      message: `cannot open tar archive ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      remedy: 'check the path and that it is readable',
      path,
      cause: error,
    });
  }
  try {
    const fileSize = (await handle.stat()).size;
    const start = options.offset ?? 0;
    const end = options.length === undefined ? fileSize : Math.min(fileSize, start + options.length);
    const readAt = async (position: number, length: number): Promise<Buffer> => {
      const wanted = Math.max(0, Math.min(length, end - position));
      const buffer = Buffer.alloc(wanted);
      let filled = 0;
      while (filled < wanted) {
        const { bytesRead } = await handle.read(buffer, filled, wanted - filled, position + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.subarray(0, filled);
    };
    const truncated = (detail: string, entry?: string) =>
      new TarError({
        code: 'TAR_TRUNCATED',
        message: `tar archive ${path} is truncated: ${detail}`,
        remedy: 'the copy is incomplete; copy or download the archive again',
        path,
        ...(entry === undefined ? {} : { entry }),
      });
    const invalid = (offset: number, detail: string) =>
      new TarError({
        code: 'TAR_HEADER_INVALID',
        message: `tar archive ${path} has an invalid header at byte ${offset}: ${detail}`,
        remedy: 'the archive is corrupt or not a tar file; use an intact copy',
        path,
      });

    const entries: TarEntry[] = [];
    let globalPax: Record<string, string> = {};
    let pendingPax: Record<string, string> = {};
    let pendingLongName: string | undefined;
    let pendingLongLink: string | undefined;
    let entryStart: number | undefined;
    let position = start;
    for (;;) {
      const block = await readAt(position, tarBlockSize);
      if (block.length < tarBlockSize) {
        throw truncated(
          block.length === 0
            ? `it ends at byte ${position} without the end-of-archive blocks`
            : `a header at byte ${position} is cut short`,
        );
      }
      if (isZeroBlock(block)) {
        if (entryStart !== undefined) throw invalid(position, 'a long-name or pax header has no entry');
        break;
      }
      const header = decodeTarHeader(block);
      if (!header) throw invalid(position, 'checksum or number fields do not match ustar');
      entryStart ??= position;
      const isMeta = ['x', 'g', 'L', 'K'].includes(header.typeflag);
      const overrides = { ...globalPax, ...pendingPax };
      const size = isMeta || overrides.size === undefined ? header.size : Number(overrides.size);
      if (!Number.isSafeInteger(size) || size < 0) throw invalid(position, `size ${overrides.size}`);
      const dataOffset = position + tarBlockSize;
      const dataSize = tarTypeHasData(header.typeflag) ? size : 0;
      if (dataOffset + dataSize > end) {
        throw truncated(
          `entry ${pendingLongName ?? overrides.path ?? header.name} needs ${dataSize} bytes from byte ${dataOffset}`,
          pendingLongName ?? overrides.path ?? header.name,
        );
      }
      const nextPosition = dataOffset + dataSize + tarPadding(dataSize);

      if (isMeta) {
        if (size > maximumMetaSize) throw invalid(position, `a ${header.typeflag} header of ${size} bytes`);
        const data = await readAt(dataOffset, size);
        if (header.typeflag === 'L' || header.typeflag === 'K') {
          const end = data.indexOf(0);
          const text = (end === -1 ? data : data.subarray(0, end)).toString('utf8');
          if (header.typeflag === 'L') pendingLongName = text;
          else pendingLongLink = text;
        } else {
          const records = parsePaxRecords(data);
          if (!records) throw invalid(position, 'malformed pax records');
          if (header.typeflag === 'g') globalPax = { ...globalPax, ...records };
          else pendingPax = { ...pendingPax, ...records };
        }
        position = nextPosition;
        continue;
      }

      const name = pendingLongName ?? overrides.path ?? header.name;
      const number = (key: string, fallback: number) => {
        const value = overrides[key];
        return value === undefined || !Number.isFinite(Number(value)) ? fallback : Number(value);
      };
      entries.push({
        name,
        type: tarEntryTypeOf({ typeflag: header.typeflag, name }),
        size: dataSize,
        mode: header.mode,
        uid: number('uid', header.uid),
        gid: number('gid', header.gid),
        uname: overrides.uname ?? header.uname,
        gname: overrides.gname ?? header.gname,
        mtime: overrides.mtime === undefined ? header.mtime : new Date(number('mtime', 0) * 1000),
        linkname: pendingLongLink ?? overrides.linkpath ?? header.linkname,
        headerOffset: entryStart,
        dataOffset,
      });
      pendingPax = {};
      pendingLongName = undefined;
      pendingLongLink = undefined;
      entryStart = undefined;
      position = nextPosition;
    }
    return entries;
  } finally {
    await handle.close();
  }
}
