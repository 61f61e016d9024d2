import { TarError } from './tar-error.js';
import { encodeTarHeader, type TarHeaderFields, tarBlockSize, tarPadding } from './tar-header.js';

/** Bytes of an entry's content: a buffer or any stream of chunks (a Node `Readable` is one). */
export type TarContent = Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** One member to write. Missing fields take the defaults stated. */
export interface TarWriteEntry {
  /** Path inside the archive, relative, `/`-separated; a directory's trailing `/` is added if missing. */
  name: string;
  /** Default `'file'`. Devices and fifos are not written. */
  type?: 'file' | 'directory' | 'symlink' | 'hardlink';
  /** Default 0o644 for files, 0o755 for directories, 0o777 for links. */
  mode?: number;
  /** Default 0. */
  uid?: number;
  /** Default 0. */
  gid?: number;
  /** Default empty. */
  uname?: string;
  /** Default empty. */
  gname?: string;
  /** Default the Unix epoch, which keeps archives reproducible. */
  mtime?: Date;
  /** Target of a link; required for links. */
  linkname?: string;
  /** Files only: the number of content bytes. Default the length of a `Uint8Array` content; required for streams. */
  size?: number;
  /** Files only: the bytes, exactly `size` of them. Default empty. */
  content?: TarContent;
}

/** Options of {@link createTarStream}. */
export interface CreateTarStreamOptions {
  /** The members, in archive order; consumed lazily, one at a time. */
  entries: Iterable<TarWriteEntry> | AsyncIterable<TarWriteEntry>;
}

/**
 * Writes a tar archive as a stream of chunks: a ustar header per entry (preceded by a pax `x` header when
 * a name, link target or number does not fit ustar), the content padded to 512 bytes, and two zero blocks.
 * Content is pulled chunk by chunk as the consumer reads, so memory stays bounded; pipe it with
 * `pipeline(Readable.from(createTarStream(...)), destination)`. GNU tar extracts the result as written.
 * @throws TarError `TAR_ENTRY_INVALID` for a bad name or missing size, `TAR_SIZE_MISMATCH` when the content
 * is longer or shorter than the declared size.
 */
export async function* createTarStream(options: CreateTarStreamOptions): AsyncGenerator<Uint8Array> {
  for await (const entry of options.entries) {
    const type = entry.type ?? 'file';
    const name = validName(entry.name, type);
    const size = type === 'file' ? declaredSize(entry, name) : 0;
    const fields: TarHeaderFields = {
      name,
      type,
      size,
      mode: entry.mode ?? (type === 'file' ? 0o644 : type === 'directory' ? 0o755 : 0o777),
      uid: entry.uid ?? 0,
      gid: entry.gid ?? 0,
      uname: entry.uname ?? '',
      gname: entry.gname ?? '',
      mtime: entry.mtime ?? new Date(0),
      linkname: entry.linkname ?? '',
    };
    if ((type === 'symlink' || type === 'hardlink') && fields.linkname === '') {
      throw new TarError({
        code: 'TAR_ENTRY_INVALID',
        message: `tar entry ${name} is a ${type} without a linkname`,
        remedy: 'pass the link target as linkname',
        entry: name,
      });
    }
    yield encodeTarHeader(fields);
    if (type !== 'file') continue;
    let written = 0;
    for await (const chunk of chunksOf(entry.content)) {
      written += chunk.length;
      if (written > size) throw sizeMismatch(name, size, `more than ${size}`);
      yield chunk;
    }
    if (written !== size) throw sizeMismatch(name, size, String(written));
    const padding = tarPadding(size);
    if (padding > 0) yield Buffer.alloc(padding);
  }
  yield Buffer.alloc(2 * tarBlockSize);
}

function validName(name: string, type: string): string {
  if (name === '' || name.startsWith('/') || name.includes('\0') || name.split('/').includes('..')) {
    throw new TarError({
      code: 'TAR_ENTRY_INVALID',
      message: `tar entry name ${JSON.stringify(name)} is empty, absolute or contains .. or NUL`,
      remedy: 'use a relative path inside the archive',
      entry: name,
    });
  }
  return type === 'directory' && !name.endsWith('/') ? `${name}/` : name;
}

function declaredSize(entry: TarWriteEntry, name: string): number {
  const size = entry.size ?? (entry.content instanceof Uint8Array ? entry.content.length : undefined);
  if (size === undefined && entry.content === undefined) return 0;
  if (size === undefined || !Number.isSafeInteger(size) || size < 0) {
    throw new TarError({
      code: 'TAR_ENTRY_INVALID',
      message: `tar entry ${name} has streamed content but no valid size`,
      remedy: 'pass size (tar headers carry it before the data)',
      entry: name,
    });
  }
  return size;
}

async function* chunksOf(content: TarContent | undefined): AsyncGenerator<Uint8Array> {
  if (content === undefined) return;
  if (content instanceof Uint8Array) {
    yield content;
    return;
  }
  yield* content;
}

function sizeMismatch(name: string, size: number, actual: string): TarError {
  return new TarError({
    code: 'TAR_SIZE_MISMATCH',
    message: `tar entry ${name} was declared as ${size} bytes but its content has ${actual}`,
    remedy: 'the source changed while it was archived; archive it again',
    entry: name,
  });
}
