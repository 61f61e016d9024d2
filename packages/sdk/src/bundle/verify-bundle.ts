import { createHash } from 'node:crypto';
import { BundleError } from './bundle-error.js';
import type { BundleFile } from './bundle-manifest.js';
import { type Bundle, readBundle } from './read-bundle.js';

/** Options of {@link verifyBundle}: a path to open, or a bundle already opened with `readBundle`. */
export type VerifyBundleOptions = { path: string } | { bundle: Bundle };

/** The verdict on one file listed in the manifest. */
export interface BundleFileVerification {
  /** The manifest's record (path, role, node, size, sha256, encryption). */
  file: BundleFile;
  /** `ok`: size and SHA-256 of the stored bytes match; `mismatch`: they do not; `missing`: no such file. */
  status: 'ok' | 'mismatch' | 'missing';
  /** What was read, when the file could be read. */
  actual?: { size: number; sha256: string };
}

/** The outcome of {@link verifyBundle}: a union on `ok`, with the reason as a ready-to-throw error. */
export type BundleVerification =
  | { ok: true; bundle: Bundle; files: BundleFileVerification[]; unexpected: [] }
  | {
      ok: false;
      bundle: Bundle;
      files: BundleFileVerification[];
      /** Stored paths the manifest does not list (or that a tar holds twice, or that are links). */
      unexpected: string[];
      /**
       * The first problem (missing, then mismatch, then unexpected) as a one-line error, counting the rest:
       * `BUNDLE_FILE_MISSING`, `BUNDLE_FILE_MISMATCH` or `BUNDLE_FILE_UNEXPECTED`. Callers that must refuse the
       * bundle `throw verification.error`.
       */
      error: BundleError;
    };

/**
 * Streams every file the manifest lists through SHA-256 (bounded memory; for a `.tar`, straight from the
 * archive) and compares size and hash with the manifest, before anything is decrypted or restored. Also
 * lists stored files the manifest does not know. A single changed byte anywhere makes `ok` false.
 *
 * Does not throw for a damaged file: the result says which files are bad. It throws the errors of
 * `readBundle` when given a `path` whose manifest cannot be read.
 */
export async function verifyBundle(options: VerifyBundleOptions): Promise<BundleVerification> {
  const bundle = 'bundle' in options ? options.bundle : await readBundle({ path: options.path });
  const files: BundleFileVerification[] = [];
  for (const file of bundle.manifest.files) {
    let stream: AsyncIterable<Uint8Array>;
    try {
      stream = await bundle.openFile({ path: file.path });
    } catch (error) {
      if ((error as BundleError).code !== 'BUNDLE_FILE_MISSING') throw error;
      files.push({ file, status: 'missing' });
      continue;
    }
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of stream) {
      hash.update(chunk);
      size += chunk.length;
    }
    const actual = { size, sha256: hash.digest('hex') };
    const status = actual.size === file.size && actual.sha256 === file.sha256 ? 'ok' : 'mismatch';
    files.push({ file, status, actual });
  }
  const listed = new Set(bundle.manifest.files.map((file) => file.path));
  const unexpected = (await bundle.listStored())
    .filter((entry) => entry.duplicate || !listed.has(entry.path))
    .map((entry) => (entry.duplicate ? `${entry.path} (stored more than once)` : entry.path));

  const missing = files.filter((verification) => verification.status === 'missing');
  const mismatched = files.filter((verification) => verification.status === 'mismatch');
  if (missing.length === 0 && mismatched.length === 0 && unexpected.length === 0) {
    return { ok: true, bundle, files, unexpected: [] };
  }
  const problems = missing.length + mismatched.length + unexpected.length;
  const more = problems > 1 ? ` (and ${problems - 1} more problem${problems > 2 ? 's' : ''})` : '';
  const refuse = 'do not restore from it; use another copy of the bundle';
  let error: BundleError;
  if (missing[0]) {
    error = new BundleError({
      code: 'BUNDLE_FILE_MISSING',
      message: `bundle ${bundle.path}: ${missing[0].file.path} is listed in the manifest but missing${more}`,
      remedy: `the bundle is incomplete; ${refuse}`,
      bundlePath: bundle.path,
      file: missing[0].file.path,
    });
  } else if (mismatched[0]) {
    const { file, actual } = mismatched[0];
    error = new BundleError({
      code: 'BUNDLE_FILE_MISMATCH',
      message: `bundle ${bundle.path}: ${file.path} does not match the manifest (${actual!.size} bytes, sha256 ${actual!.sha256.slice(0, 12)}…; expected ${file.size} bytes, sha256 ${file.sha256.slice(0, 12)}…)${more}`,
      remedy: `the bundle is damaged or was modified; ${refuse}`,
      bundlePath: bundle.path,
      file: file.path,
    });
  } else {
    error = new BundleError({
      code: 'BUNDLE_FILE_UNEXPECTED',
      message: `bundle ${bundle.path} holds ${unexpected.length} file${unexpected.length > 1 ? 's' : ''} its manifest does not list: ${unexpected.slice(0, 3).join(', ')}${unexpected.length > 3 ? ', …' : ''}`,
      remedy: `remove what was added to the bundle, or ${refuse}`,
      bundlePath: bundle.path,
      file: unexpected[0]!,
    });
  }
  return { ok: false, bundle, files, unexpected, error };
}
