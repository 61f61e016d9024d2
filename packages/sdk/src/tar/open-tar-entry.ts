import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { TarEntry } from './read-tar-index.js';

/** Options of {@link openTarEntry}. */
export interface OpenTarEntryOptions {
  /** The tar file the entry was indexed from by `readTarIndex`. */
  path: string;
  /** The entry; only its `dataOffset` and `size` are used. */
  entry: Pick<TarEntry, 'dataOffset' | 'size'>;
}

/**
 * Streams one entry's bytes straight from the archive file (a byte range; nothing is extracted).
 * Entries without data (directories, links) give an empty stream.
 */
export function openTarEntry(options: OpenTarEntryOptions): Readable {
  const { dataOffset, size } = options.entry;
  if (size === 0) return Readable.from([]);
  // 512 KiB reads, as for bundle directories (read-bundle.ts): these chunks become WebSocket frames.
  return createReadStream(options.path, {
    start: dataOffset,
    end: dataOffset + size - 1,
    highWaterMark: 512 * 1024,
  });
}
