import { createHash } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { BundleError } from './bundle-error.js';
import type { Bundle } from './read-bundle.js';

/** Options of {@link withBundleFileOnDisk}. */
export interface WithBundleFileOnDiskOptions<T> {
  bundle: Bundle;
  /** Path of the stored file inside the bundle, e.g. `snapshot.db`. */
  path: string;
  /** Called with a path on disk holding exactly the stored bytes; its result is returned. */
  use: (filePath: string) => Promise<T>;
  /** Where a temporary copy is made (inside a fresh 0700 folder). Default the OS temp folder. */
  temporaryDirectory?: string;
}

/**
 * Gives code that needs a file path (e.g. a snapshot reader) a stored file of a bundle. For a directory
 * bundle this is the file itself. For a `.tar` bundle the entry's byte range is copied to a temporary
 * file (mode 0600 in a 0700 folder), checked against the manifest's size and SHA-256 on the way, and
 * removed when `use` settles, whether it succeeded or threw.
 * @throws BundleError `BUNDLE_FILE_MISSING`, `BUNDLE_FILE_MISMATCH` (tar copy differs from the manifest),
 * `BUNDLE_WRITE_FAILED` (the temporary copy cannot be written), and whatever `use` throws.
 */
export async function withBundleFileOnDisk<T>(options: WithBundleFileOnDiskOptions<T>): Promise<T> {
  const { bundle, path } = options;
  const location = await bundle.locateFile({ path });
  if (location.kind === 'file') return options.use(location.path);
  const record = bundle.manifest.files.find((file) => file.path === path);
  const folder = await mkdtemp(join(options.temporaryDirectory ?? tmpdir(), 'etcd-dr-bundle-file-'));
  try {
    const copy = join(folder, basename(path));
    const hash = createHash('sha256');
    const handle = await open(copy, 'wx', 0o600);
    try {
      for await (const chunk of await bundle.openFile({ path })) {
        hash.update(chunk);
        for (let offset = 0; offset < chunk.length; ) {
          offset += (await handle.write(chunk, offset, chunk.length - offset)).bytesWritten;
        }
      }
    } catch (error) {
      throw new BundleError({
        code: 'BUNDLE_WRITE_FAILED',
        message: `bundle ${bundle.path}: cannot copy ${path} to ${folder}: ${(error as NodeJS.ErrnoException).code ?? error}`,
        remedy: 'check free space in the temporary folder (TMPDIR) or extract the bundle with tar -xf',
        bundlePath: bundle.path,
        file: path,
        cause: error,
      });
    } finally {
      await handle.close();
    }
    const sha256 = hash.digest('hex');
    if (record && sha256 !== record.sha256) {
      throw new BundleError({
        code: 'BUNDLE_FILE_MISMATCH',
        message: `bundle ${bundle.path}: ${path} does not match the manifest (sha256 ${sha256.slice(0, 12)}…, expected ${record.sha256.slice(0, 12)}…)`,
        remedy:
          'the bundle is damaged or was modified; do not restore from it; use another copy of the bundle',
        bundlePath: bundle.path,
        file: path,
      });
    }
    return await options.use(copy);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
