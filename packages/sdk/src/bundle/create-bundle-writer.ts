import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, link, lstat, mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EtcdDrError } from '../errors/etcd-dr-error.js';
import { createTarStream, type TarWriteEntry } from '../tar/create-tar-stream.js';
import { BundleError } from './bundle-error.js';
import {
  type BundleEncryption,
  type BundleFile,
  type BundleFileRole,
  type BundleManifest,
  type BundleManifestInput,
  bundleFileSchema,
  bundleFormatVersion,
  bundleManifestSchema,
} from './bundle-manifest.js';

/** How a committed bundle is stored: a directory, or a single `.tar` of that directory's contents. */
export type BundleFormat = 'directory' | 'tar';

/** Options of {@link createBundleWriter}. */
export interface CreateBundleWriterOptions {
  /** Folder the bundle is created in; created with mode 0700 when missing. */
  directory: string;
  /**
   * Bundle name, one path segment of letters, digits, `.`, `_`, `-` (not starting with `.`), e.g.
   * `user-1-20261126T140000Z`. For the `tar` format the file is `NAME.tar` (`.tar` is not doubled).
   */
  name: string;
  /** Default `directory`. */
  format?: BundleFormat;
}

/** Bytes of a file to add: text, a buffer, or a stream of chunks (a Node `Readable` is one). */
export type BundleContent = string | Uint8Array | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>;

/** Options of {@link BundleWriter.addFile}. */
export interface AddBundleFileOptions {
  /** Path inside the bundle; see `bundleFilePath` for the conventional ones. */
  path: string;
  role: BundleFileRole;
  /** The node the file came from; required for `pki` and `admin-pki`. */
  node?: string;
  /** Default `none`. When `age`, `content` is already age-encrypted and `path` ends in `.age`. */
  encryption?: BundleEncryption;
  /**
   * The stored bytes, streamed to disk once; hashed and counted on the way. Chunks are written while the
   * next ones are read (up to about 2 MiB held), so a chunk must not be changed after it was yielded.
   */
  content: BundleContent;
  /**
   * The SHA-256 of `content`, for a producer that already hashes every byte it yields (the snapshot stream
   * does, for its trailer check): asked once `content` ended; the writer then skips its own pass over the
   * bytes, and refuses the file when the producer's `size` is not the number of bytes written. Default: the
   * writer hashes the content itself.
   */
  digest?: () => { size: number; sha256: string };
}

/** What {@link BundleWriter.commit} needs besides the files: everything else of the manifest. */
export type CommitBundleOptions = Omit<BundleManifestInput, 'formatVersion' | 'files' | 'createdAt'> & {
  /** Default now. ISO 8601 with offset. */
  createdAt?: string;
};

/** The committed bundle. */
export interface CommitBundleResult {
  /** Final path: the directory, or the `.tar` file. */
  path: string;
  format: BundleFormat;
  manifest: BundleManifest;
}

/**
 * Writes one bundle. Files go into a hidden temporary sibling (`.NAME.partial-RANDOM`) that is renamed to
 * the final name only by `commit`, after `manifest.json` has been written last, so a failed or interrupted
 * backup never leaves something that looks like a whole bundle. `abort` (and any failure of `addFile` or
 * `commit`) removes the temporary directory; the writer is closed afterwards. `await using` aborts a writer
 * that was not committed.
 */
export interface BundleWriter extends AsyncDisposable {
  /** The final path the bundle will have once committed. */
  readonly path: string;
  /** The temporary directory being written. */
  readonly temporaryPath: string;
  /**
   * Streams one file into the bundle (mode 0600, parent folders 0700), computing size and SHA-256.
   * @throws BundleError `BUNDLE_FILE_INVALID` (bad or duplicate path, rule of the file record broken),
   * `BUNDLE_WRITE_FAILED` (disk error), `BUNDLE_WRITER_CLOSED`; an EtcdDrError from the content stream is
   * rethrown as is. Every failure aborts the writer.
   */
  addFile(options: AddBundleFileOptions): Promise<BundleFile>;
  /**
   * Validates and writes `manifest.json`, fsyncs, and moves the bundle to its final path atomically (for
   * `tar`: writes `NAME.tar` through a temporary file, fsyncs, then links it into place).
   * @throws BundleError `BUNDLE_MANIFEST_INVALID` (naming the field), `BUNDLE_EXISTS`, `BUNDLE_WRITE_FAILED`,
   * `BUNDLE_WRITER_CLOSED`. Every failure aborts the writer.
   */
  commit(options: CommitBundleOptions): Promise<CommitBundleResult>;
  /** Removes everything written so far. Safe to call more than once and after a failure; no-op after commit. */
  abort(): Promise<void>;
}

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const writeBatchBytes = 1024 * 1024;
// Below IOV_MAX (1024), so that one batch is one writev system call.
const maxBatchChunks = 512;
const syncEveryBytes = 64 * 1024 * 1024;

/**
 * Starts a bundle: checks the final path is free and creates the temporary directory (mode 0700).
 * @throws BundleError `BUNDLE_FILE_INVALID` for a bad name, `BUNDLE_EXISTS` when the final path is taken,
 * `BUNDLE_WRITE_FAILED` when the folder cannot be created.
 */
export async function createBundleWriter(options: CreateBundleWriterOptions): Promise<BundleWriter> {
  const format = options.format ?? 'directory';
  const fileName = format === 'tar' && !options.name.endsWith('.tar') ? `${options.name}.tar` : options.name;
  const finalPath = join(options.directory, fileName);
  if (!namePattern.test(options.name)) {
    throw new BundleError({
      code: 'BUNDLE_FILE_INVALID',
      message: `bundle name ${JSON.stringify(options.name)} is not one path segment of letters, digits, ., _ and -`,
      remedy: 'choose a name like user-1-20261126T140000Z',
      bundlePath: finalPath,
    });
  }
  await assertFree(finalPath);
  const suffix = randomBytes(6).toString('hex');
  const temporaryPath = join(options.directory, `.${options.name}.partial-${suffix}`);
  const temporaryTarPath = join(options.directory, `.${fileName}.partial-${suffix}`);
  try {
    await mkdir(options.directory, { recursive: true, mode: 0o700 });
    await mkdir(temporaryPath, { mode: 0o700 });
  } catch (error) {
    throw writeFailed(finalPath, undefined, `cannot create ${temporaryPath}`, error);
  }

  const files: BundleFile[] = [];
  const reserved = new Set<string>();
  const directories = new Set<string>();
  const pending = new Set<Promise<unknown>>();
  let state: 'open' | 'committing' | 'committed' | 'aborted' = 'open';

  const abort = async (): Promise<void> => {
    if (state === 'committed') return;
    state = 'aborted';
    await rm(temporaryPath, { recursive: true, force: true });
    await rm(temporaryTarPath, { force: true });
  };
  const failAndAbort = async (error: unknown, file?: string, what?: string): Promise<never> => {
    await abort();
    if (EtcdDrError.isInstance(error)) throw error;
    throw writeFailed(finalPath, file, what ?? 'write failed', error);
  };
  const assertOpen = (action: string): void => {
    if (state !== 'open') {
      throw new BundleError({
        code: 'BUNDLE_WRITER_CLOSED',
        message: `bundle ${finalPath}: cannot ${action}, the writer is already ${state}`,
        remedy: 'start a new bundle writer',
        bundlePath: finalPath,
      });
    }
  };

  const writeOne = async (file: AddBundleFileOptions): Promise<BundleFile> => {
    const encryption = file.encryption ?? 'none';
    const record = bundleFileSchema.safeParse({
      path: file.path,
      role: file.role,
      ...(file.node === undefined ? {} : { node: file.node }),
      size: 0,
      sha256: '0'.repeat(64),
      encryption,
    });
    const segments = file.path.split('/');
    const parents = segments.slice(0, -1).map((_, index) => segments.slice(0, index + 1).join('/'));
    const taken =
      reserved.has(file.path) || directories.has(file.path) || parents.some((parent) => reserved.has(parent));
    if (!record.success || taken) {
      const issue = record.success ? undefined : record.error.issues[0]!;
      throw new BundleError({
        code: 'BUNDLE_FILE_INVALID',
        message: `bundle ${finalPath}: cannot add ${file.path}: ${
          issue ? `${issue.path.join('.') || 'path'}: ${issue.message}` : 'the path is already taken'
        }`,
        remedy: 'use bundleFilePath() for the path and give each file once',
        bundlePath: finalPath,
        file: file.path,
      });
    }
    reserved.add(file.path);
    for (const parent of parents) directories.add(parent);
    const target = join(temporaryPath, file.path);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    const hash = file.digest ? undefined : createHash('sha256');
    let size = 0;
    const handle = await open(target, 'wx', 0o600);
    // Double buffering: one batch of chunks is written while the next is read, in one writev per batch.
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    let writing: Promise<void> = Promise.resolve();
    // Flushed to disk as it is written, one datasync at a time beside the writes, so that the final fsync
    // (which alone makes the file durable, as before) has little left to do.
    let unsyncedBytes = 0;
    let syncing: Promise<void> | undefined;
    let syncFailure: unknown;
    const startSync = () => {
      if (syncing || unsyncedBytes < syncEveryBytes) return;
      unsyncedBytes = 0;
      syncing = handle.datasync().then(
        () => {
          syncing = undefined;
        },
        (error: unknown) => {
          syncFailure ??= error;
          syncing = undefined;
        },
      );
    };
    try {
      const flush = async () => {
        const pending = batch;
        const pendingBytes = batchBytes;
        batch = [];
        batchBytes = 0;
        await writing;
        if (syncFailure !== undefined) throw syncFailure;
        writing = writeAllVector(handle, pending).then(() => {
          unsyncedBytes += pendingBytes;
          startSync();
        });
        writing.catch(() => undefined);
      };
      for await (const chunk of chunksOf(file.content)) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        if (bytes.length === 0) continue;
        hash?.update(bytes);
        size += bytes.length;
        batch.push(bytes);
        batchBytes += bytes.length;
        if (batchBytes >= writeBatchBytes || batch.length >= maxBatchChunks) await flush();
      }
      await flush();
      await writing;
      await syncing;
      if (syncFailure !== undefined) throw syncFailure;
      await handle.sync();
    } finally {
      await writing.catch(() => undefined);
      await syncing;
      await handle.close();
    }
    let sha256: string;
    if (file.digest) {
      const given = file.digest();
      if (given.size !== size) {
        throw new BundleError({
          code: 'BUNDLE_FILE_MISMATCH',
          message: `bundle ${finalPath}: the digest given for ${file.path} covers ${given.size} bytes, but ${size} were written`,
          remedy: 'this is a bug in the producer of the content; the backup was not kept',
          bundlePath: finalPath,
          file: file.path,
        });
      }
      sha256 = given.sha256;
    } else {
      sha256 = hash!.digest('hex');
    }
    const stored: BundleFile = { ...record.data, size, sha256 };
    files.push(stored);
    return stored;
  };

  const writer: BundleWriter = {
    path: finalPath,
    temporaryPath,
    async addFile(file) {
      assertOpen(`add ${file.path}`);
      const promise = writeOne(file).catch((error: unknown) =>
        failAndAbort(error, file.path, `cannot write ${file.path}`),
      );
      pending.add(promise);
      try {
        return await promise;
      } finally {
        pending.delete(promise);
      }
    },
    async commit(commitOptions) {
      assertOpen('commit');
      state = 'committing';
      await Promise.allSettled([...pending]);
      if ((state as string) === 'aborted') assertOpen('commit');
      try {
        const { createdAt, ...rest } = commitOptions;
        const parsed = bundleManifestSchema.safeParse({
          formatVersion: bundleFormatVersion,
          createdAt: createdAt ?? new Date().toISOString(),
          ...rest,
          files,
        });
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw new BundleError({
            code: 'BUNDLE_MANIFEST_INVALID',
            message: `bundle ${finalPath}: manifest field ${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`,
            remedy: 'this is a bug in the caller of commit(); the backup was not kept',
            bundlePath: finalPath,
            file: 'manifest.json',
          });
        }
        const manifest = parsed.data;
        const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
        const manifestHandle = await open(join(temporaryPath, 'manifest.json'), 'wx', 0o600);
        try {
          await writeAll(manifestHandle, manifestBytes);
          await manifestHandle.sync();
        } finally {
          await manifestHandle.close();
        }
        for (const directory of ['', ...directories]) await syncDirectory(join(temporaryPath, directory));
        if (format === 'directory') {
          await assertFree(finalPath);
          await rename(temporaryPath, finalPath);
        } else {
          await writeTar({ temporaryPath, temporaryTarPath, manifest, manifestBytes, directories });
          try {
            await link(temporaryTarPath, finalPath);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'EEXIST') await assertFree(finalPath);
            throw error;
          }
          await unlink(temporaryTarPath);
          await rm(temporaryPath, { recursive: true, force: true });
        }
        await syncDirectory(options.directory);
        state = 'committed';
        return { path: finalPath, format, manifest };
      } catch (error) {
        return failAndAbort(error, undefined, 'cannot commit');
      }
    },
    abort,
    async [Symbol.asyncDispose]() {
      await abort();
    },
  };
  return writer;
}

async function writeTar(options: {
  temporaryPath: string;
  temporaryTarPath: string;
  manifest: BundleManifest;
  manifestBytes: Buffer;
  directories: Set<string>;
}): Promise<void> {
  const { temporaryPath, manifest } = options;
  const mtime = new Date(manifest.createdAt);
  function* entries(): Generator<TarWriteEntry> {
    yield { name: 'manifest.json', content: options.manifestBytes, mode: 0o600, mtime };
    const emitted = new Set<string>();
    for (const file of manifest.files) {
      const segments = file.path.split('/');
      for (let index = 1; index < segments.length; index++) {
        const directory = segments.slice(0, index).join('/');
        if (emitted.has(directory)) continue;
        emitted.add(directory);
        yield { name: directory, type: 'directory', mode: 0o700, mtime };
      }
      yield {
        name: file.path,
        size: file.size,
        content: createReadStream(join(temporaryPath, file.path)),
        mode: 0o600,
        mtime,
      };
    }
  }
  const handle = await open(options.temporaryTarPath, 'wx', 0o600);
  try {
    for await (const chunk of createTarStream({ entries: entries() })) await writeAll(handle, chunk);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function* chunksOf(content: BundleContent): AsyncGenerator<Uint8Array | string> {
  if (typeof content === 'string' || content instanceof Uint8Array) {
    yield content;
    return;
  }
  yield* content;
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

async function writeAllVector(handle: FileHandle, chunks: Uint8Array[]): Promise<void> {
  let pending = chunks;
  while (pending.length > 0) {
    let { bytesWritten } = await handle.writev(pending);
    // A short write (rare: a full disk or a signal) continues from the first byte not written.
    let index = 0;
    while (index < pending.length && bytesWritten >= pending[index]!.length) {
      bytesWritten -= pending[index]!.length;
      index++;
    }
    pending = pending.slice(index);
    if (bytesWritten > 0) pending[0] = pending[0]!.subarray(bytesWritten);
  }
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function assertFree(finalPath: string): Promise<void> {
  const exists = await lstat(finalPath).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw writeFailed(finalPath, undefined, `cannot check ${finalPath}`, error);
    },
  );
  if (exists) {
    throw new BundleError({
      code: 'BUNDLE_EXISTS',
      message: `bundle ${finalPath} already exists`,
      remedy: 'choose another bundle name or move the existing bundle away; bundles are never overwritten',
      bundlePath: finalPath,
    });
  }
}

function writeFailed(
  bundlePath: string,
  file: string | undefined,
  what: string,
  cause: unknown,
): BundleError {
  return new BundleError({
    code: 'BUNDLE_WRITE_FAILED',
    message: `bundle ${bundlePath}: ${what}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message ?? cause}`,
    remedy: 'check free space and permissions of the bundle folder, then run the backup again',
    bundlePath,
    ...(file === undefined ? {} : { file }),
    cause,
  });
}
