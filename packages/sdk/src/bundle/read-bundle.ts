import { constants } from 'node:fs';
import { type FileHandle, lstat, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { EtcdDrError } from '../errors/etcd-dr-error.js';
import { openTarEntry } from '../tar/open-tar-entry.js';
import { readTarIndex, type TarEntry } from '../tar/read-tar-index.js';
import type { TarError } from '../tar/tar-error.js';
import { BundleError } from './bundle-error.js';
import type { BundleManifest } from './bundle-manifest.js';
import { bundleFilePathSchema } from './bundle-manifest.js';
import type { BundleFormat } from './create-bundle-writer.js';
import { parseBundleManifest } from './parse-bundle-manifest.js';

/** Options of {@link readBundle}. */
export interface ReadBundleOptions {
  /** A bundle directory or a `.tar` of one (any file name; a regular file is read as tar). */
  path: string;
}

/** Where a stored file's bytes are, for readers that want a path rather than a stream. */
export type BundleFileLocation =
  | { kind: 'file'; path: string; size: number }
  /** Bytes `offset` to `offset + size - 1` of the `.tar` at `path`. */
  | { kind: 'tar-range'; path: string; offset: number; size: number };

/** Something stored in the bundle besides `manifest.json` and directories, listed or not. */
export interface BundleStoredEntry {
  /** Path relative to the bundle root. */
  path: string;
  type: 'file' | 'symlink' | 'other';
  size: number;
  /** True when a tar holds more than one entry of this name (tar readers take the last one). */
  duplicate?: boolean;
}

/** An opened bundle: its validated manifest and access to its stored files. Nothing is verified yet. */
export interface Bundle {
  /** The path given to `readBundle`. */
  path: string;
  format: BundleFormat;
  manifest: BundleManifest;
  /**
   * Where the bytes of a stored file are.
   * @throws BundleError `BUNDLE_FILE_MISSING` when it is absent or not a regular file.
   */
  locateFile(options: { path: string }): Promise<BundleFileLocation>;
  /**
   * Streams a stored file (for a `.tar`: a byte range of the archive, nothing is extracted).
   * @throws BundleError `BUNDLE_FILE_MISSING`.
   */
  openFile(options: { path: string }): Promise<Readable>;
  /** Everything stored besides `manifest.json` and directories, sorted by path. */
  listStored(): Promise<BundleStoredEntry[]>;
}

/**
 * Read size of stored files: snapshots of hundreds of MiB are streamed to pods, and every chunk becomes a
 * WebSocket frame; 64 KiB chunks cost a syscall, a frame and listener work each, thousands per snapshot.
 */
const readChunkBytes = 512 * 1024;

/** A manifest larger than this is not one etcd-dr wrote (a 3-node bundle's is a few KiB). */
const maximumManifestSize = 16 * 1024 * 1024;

/**
 * Opens a bundle directory or `.tar` and validates its manifest. Only the manifest (and, for a tar, the
 * headers) is read; use `verifyBundle` to check every file's size and SHA-256.
 * @throws BundleError `BUNDLE_NOT_FOUND`, `BUNDLE_TAR_INVALID` (not a tar, truncated),
 * `BUNDLE_MANIFEST_MISSING`, `BUNDLE_MANIFEST_INVALID` (naming the field), `BUNDLE_VERSION_UNSUPPORTED`.
 */
export async function readBundle(options: ReadBundleOptions): Promise<Bundle> {
  const bundlePath = options.path;
  const info = await stat(bundlePath).catch((error: NodeJS.ErrnoException) => {
    throw new BundleError({
      code: 'BUNDLE_NOT_FOUND',
      message: `bundle ${bundlePath} cannot be opened: ${error.code ?? error.message}`,
      remedy: 'pass the path of a bundle directory or .tar written by etcd-dr backup',
      bundlePath,
      cause: error,
    });
  });
  if (info.isDirectory()) return readDirectoryBundle(bundlePath);
  if (info.isFile()) return readTarBundle(bundlePath);
  throw new BundleError({
    code: 'BUNDLE_NOT_FOUND',
    message: `bundle ${bundlePath} is neither a directory nor a file`,
    remedy: 'pass the path of a bundle directory or .tar written by etcd-dr backup',
    bundlePath,
  });
}

function fileMissing(bundlePath: string, file: string, detail: string): BundleError {
  return new BundleError({
    code: 'BUNDLE_FILE_MISSING',
    message: `bundle ${bundlePath}: ${file} ${detail}`,
    remedy: 'the bundle is incomplete; use another copy of it',
    bundlePath,
    file,
  });
}

function assertInsidePath(bundlePath: string, file: string): void {
  if (!bundleFilePathSchema.safeParse(file).success) {
    throw new BundleError({
      code: 'BUNDLE_FILE_INVALID',
      message: `bundle ${bundlePath}: ${JSON.stringify(file)} is not a path inside the bundle`,
      remedy: 'use a path from the manifest, e.g. snapshot.db',
      bundlePath,
      file,
    });
  }
}

async function readDirectoryBundle(bundlePath: string): Promise<Bundle> {
  let manifestText: string;
  let handle: FileHandle | undefined;
  try {
    handle = await open(join(bundlePath, 'manifest.json'), constants.O_RDONLY | constants.O_NOFOLLOW);
    const size = (await handle.stat()).size;
    if (size > maximumManifestSize) throw new Error(`manifest.json has ${size} bytes`);
    manifestText = await handle.readFile('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BundleError({
      code: code === 'ENOENT' ? 'BUNDLE_MANIFEST_MISSING' : 'BUNDLE_MANIFEST_INVALID',
      message:
        code === 'ENOENT'
          ? `bundle ${bundlePath} has no manifest.json: it is incomplete (an interrupted backup) or not a bundle`
          : `bundle ${bundlePath}: manifest.json cannot be read: ${code ?? (error as Error).message}`,
      remedy: 'use a complete bundle; a backup only writes manifest.json once every file is stored',
      bundlePath,
      file: 'manifest.json',
      cause: error,
    });
  } finally {
    await handle?.close();
  }
  const manifest = parseBundleManifest({ text: manifestText, bundlePath });

  const locateFile = async ({ path }: { path: string }): Promise<BundleFileLocation> => {
    assertInsidePath(bundlePath, path);
    const full = join(bundlePath, path);
    const entry = await lstat(full).catch(() => undefined);
    if (!entry) throw fileMissing(bundlePath, path, 'is listed in the manifest but missing');
    if (!entry.isFile()) throw fileMissing(bundlePath, path, 'is not a regular file');
    return { kind: 'file', path: full, size: entry.size };
  };
  return {
    path: bundlePath,
    format: 'directory',
    manifest,
    locateFile,
    async openFile({ path }) {
      const location = await locateFile({ path });
      const fileHandle = await open(location.path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(
        (error: NodeJS.ErrnoException) => {
          throw fileMissing(bundlePath, path, `cannot be opened: ${error.code ?? error.message}`);
        },
      );
      return fileHandle.createReadStream({ highWaterMark: readChunkBytes });
    },
    async listStored() {
      const stored: BundleStoredEntry[] = [];
      const walk = async (relative: string): Promise<void> => {
        const children = await readdir(join(bundlePath, relative), { withFileTypes: true });
        for (const child of children) {
          const path = relative ? `${relative}/${child.name}` : child.name;
          if (child.isDirectory()) await walk(path);
          else if (path !== 'manifest.json') {
            const size = child.isFile() ? (await lstat(join(bundlePath, path))).size : 0;
            stored.push({
              path,
              type: child.isFile() ? 'file' : child.isSymbolicLink() ? 'symlink' : 'other',
              size,
            });
          }
        }
      };
      await walk('');
      return stored.sort((left, right) => left.path.localeCompare(right.path));
    },
  };
}

/** Strips `./` and, for `tar -cf b.tar bundle-dir/`, the one top-level folder holding `manifest.json`. */
function normalizeTarNames(entries: TarEntry[]): { prefix: string; byPath: Map<string, TarEntry[]> } {
  const clean = (name: string) => name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  const names = entries.map((entry) => clean(entry.name));
  let prefix = '';
  if (!names.includes('manifest.json')) {
    const candidates = names.filter((name) => /^[^/]+\/manifest\.json$/.test(name));
    const top = candidates.length === 1 ? candidates[0]!.split('/')[0]! : undefined;
    if (top && names.every((name) => name === top || name.startsWith(`${top}/`))) prefix = `${top}/`;
  }
  const byPath = new Map<string, TarEntry[]>();
  entries.forEach((entry, index) => {
    const name = names[index]!;
    if (name === prefix.slice(0, -1) || name === '') return;
    const path = name.slice(prefix.length);
    byPath.set(path, [...(byPath.get(path) ?? []), entry]);
  });
  return { prefix, byPath };
}

async function readTarBundle(bundlePath: string): Promise<Bundle> {
  let entries: TarEntry[];
  try {
    entries = await readTarIndex({ path: bundlePath });
  } catch (error) {
    if (!EtcdDrError.isInstance(error) || !error.code.startsWith('TAR_')) throw error;
    const tarError = error as TarError;
    throw new BundleError({
      code: tarError.code === 'TAR_NOT_FOUND' ? 'BUNDLE_NOT_FOUND' : 'BUNDLE_TAR_INVALID',
      message:
        tarError.code === 'TAR_TRUNCATED'
          ? `bundle ${bundlePath} is a truncated tar (${tarError.message.replace(/^tar archive \S+ is truncated: /, '')})`
          : `bundle ${bundlePath} is not a readable tar: ${tarError.message}`,
      remedy:
        tarError.code === 'TAR_TRUNCATED'
          ? 'the copy is incomplete; copy or download the bundle again'
          : 'pass a bundle directory or a .tar written by etcd-dr backup',
      bundlePath,
      ...(tarError.entry === undefined ? {} : { file: tarError.entry }),
      cause: error,
    });
  }
  const { byPath } = normalizeTarNames(entries);
  const last = (path: string) => byPath.get(path)?.at(-1);

  const manifestEntry = last('manifest.json');
  if (manifestEntry?.type !== 'file') {
    throw new BundleError({
      code: 'BUNDLE_MANIFEST_MISSING',
      message: `bundle ${bundlePath} has no manifest.json entry: it is incomplete or not a bundle`,
      remedy: 'use a complete bundle; a backup only writes manifest.json once every file is stored',
      bundlePath,
      file: 'manifest.json',
    });
  }
  if (manifestEntry.size > maximumManifestSize) {
    throw new BundleError({
      code: 'BUNDLE_MANIFEST_INVALID',
      message: `bundle ${bundlePath}: manifest.json has ${manifestEntry.size} bytes, more than a manifest can`,
      remedy: 'use an intact bundle written by etcd-dr backup',
      bundlePath,
      file: 'manifest.json',
    });
  }
  const manifest = parseBundleManifest({
    text: await text(openTarEntry({ path: bundlePath, entry: manifestEntry })),
    bundlePath,
  });

  const locateFile = async ({ path }: { path: string }): Promise<BundleFileLocation> => {
    assertInsidePath(bundlePath, path);
    const entry = last(path);
    if (!entry) throw fileMissing(bundlePath, path, 'is listed in the manifest but has no entry in the tar');
    if (entry.type !== 'file') throw fileMissing(bundlePath, path, `is a ${entry.type} entry, not a file`);
    return { kind: 'tar-range', path: bundlePath, offset: entry.dataOffset, size: entry.size };
  };
  return {
    path: bundlePath,
    format: 'tar',
    manifest,
    locateFile,
    async openFile({ path }) {
      await locateFile({ path });
      return openTarEntry({ path: bundlePath, entry: last(path)! });
    },
    async listStored() {
      const stored: BundleStoredEntry[] = [];
      for (const [path, versions] of byPath) {
        const entry = versions.at(-1)!;
        if (entry.type === 'directory' || path === 'manifest.json') {
          if (versions.length === 1) continue;
        }
        stored.push({
          path,
          type: entry.type === 'file' ? 'file' : entry.type === 'symlink' ? 'symlink' : 'other',
          size: entry.size,
          ...(versions.length > 1 ? { duplicate: true } : {}),
        });
      }
      return stored.sort((left, right) => left.path.localeCompare(right.path));
    },
  };
}
