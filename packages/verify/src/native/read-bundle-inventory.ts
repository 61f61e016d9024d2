import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ageDecrypt,
  type BundleManifest,
  inspectSnapshot,
  readBundle,
  type SnapshotInspection,
  withBundleFileOnDisk,
} from '@etcd-dr/sdk';
import { VerifyError } from '../verify-error.js';

/** Options of {@link readBundleInventory}. */
export interface ReadBundleInventoryOptions {
  /** A bundle directory or `.tar` written by `etcd-dr backup`. */
  bundlePath: string;
  /** age identities (`AGE-SECRET-KEY-1...`) for an encrypted snapshot. Default none. */
  identities?: string[];
  /** Where a decrypted or extracted copy is kept while it is read (a fresh 0700 folder). Default the OS temp folder. */
  temporaryDirectory?: string;
}

/** A bundle's manifest and the inventory of its snapshot. */
export interface BundleInventory {
  bundlePath: string;
  manifest: BundleManifest;
  /** Revision, key counts per resource and namespace, read from the snapshot file itself. */
  snapshot: SnapshotInspection;
}

/**
 * Reads the inventory of a bundle's snapshot offline (no cluster needed). An encrypted snapshot is decrypted
 * into a 0600 file in a fresh 0700 folder that is removed afterwards, whatever happens.
 * @throws BundleError (not found, invalid, file mismatch), CryptoError (wrong or missing identity),
 *   SnapshotError (corrupt snapshot), VerifyError `VERIFY_OPTIONS_INVALID` (encrypted without identities).
 */
export async function readBundleInventory(options: ReadBundleInventoryOptions): Promise<BundleInventory> {
  const bundle = await readBundle({ path: options.bundlePath });
  const record = bundle.manifest.files.find((file) => file.role === 'snapshot');
  if (!record) {
    throw new VerifyError({
      code: 'VERIFY_OPTIONS_INVALID',
      message: `bundle ${options.bundlePath} lists no snapshot`,
      remedy: 'pass a bundle written by etcd-dr backup',
    });
  }
  const temporaryDirectory = options.temporaryDirectory ?? tmpdir();
  const inspect = (path: string) => inspectSnapshot({ path });
  if (record.encryption === 'none') {
    const snapshot = await withBundleFileOnDisk({
      bundle,
      path: record.path,
      use: inspect,
      temporaryDirectory,
    });
    return { bundlePath: options.bundlePath, manifest: bundle.manifest, snapshot };
  }
  const identities = options.identities ?? [];
  if (identities.length === 0) {
    throw new VerifyError({
      code: 'VERIFY_OPTIONS_INVALID',
      message: `bundle ${options.bundlePath}: ${record.path} is age-encrypted and no identity was given`,
      remedy: 'pass --identity with the age-keygen file whose public key the bundle was encrypted to',
    });
  }
  const folder = await mkdtemp(join(temporaryDirectory, 'etcd-dr-verify-'));
  try {
    const plaintext = join(folder, 'snapshot.db');
    await ageDecrypt({
      source: await bundle.openFile({ path: record.path }),
      destination: createWriteStream(plaintext, { flags: 'wx', mode: 0o600 }),
      identities,
      sourceName: `${options.bundlePath}/${record.path}`,
    });
    return { bundlePath: options.bundlePath, manifest: bundle.manifest, snapshot: await inspect(plaintext) };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
