import {
  type BundleFile,
  type BundleFormat,
  type BundleManifest,
  EtcdDrError,
  inspectSnapshot,
  readBundle,
  type SnapshotInspection,
  verifyBundle,
  withBundleFileOnDisk,
} from '@etcd-dr/sdk';

/** What `etcd-dr inspect` reports for a bundle that passed verification. */
export interface BundleInspection {
  kind: 'bundle';
  path: string;
  format: BundleFormat;
  manifest: BundleManifest;
  /** Every file of the manifest; all matched their size and SHA-256 (a bundle that does not is refused). */
  files: Array<BundleFile & { verification: 'ok' }>;
  /** The snapshot's inspection, or why it was not read. */
  snapshot: SnapshotInspection | { skipped: 'encrypted'; path: string; encryption: 'age' };
  /** Where the manifest's snapshot facts disagree with the snapshot itself; empty when they agree. */
  disagreements: string[];
}

/**
 * Verifies a bundle (every file's size and SHA-256 against its manifest) and inspects its snapshot. For a
 * `.tar` bundle the snapshot entry is copied to a temporary 0600 file the snapshot reader can open, removed
 * afterwards.
 * @throws BundleError for a missing or unreadable bundle, a missing manifest, a newer format version, a
 * missing, changed or unexpected file; SnapshotError (naming the snapshot inside the bundle) when the
 * snapshot itself is unreadable.
 */
export async function inspectBundle(options: { path: string }): Promise<BundleInspection> {
  const bundle = await readBundle({ path: options.path });
  const verification = await verifyBundle({ bundle });
  if (!verification.ok) throw verification.error;
  const { manifest } = bundle;
  const snapshotFile = manifest.files.find((file) => file.role === 'snapshot')!;
  const files = manifest.files.map((file) => ({ ...file, verification: 'ok' as const }));
  if (snapshotFile.encryption === 'age') {
    return {
      kind: 'bundle',
      path: bundle.path,
      format: bundle.format,
      manifest,
      files,
      snapshot: { skipped: 'encrypted', path: snapshotFile.path, encryption: 'age' },
      disagreements: [],
    };
  }
  const shownPath = bundle.format === 'tar' ? `${bundle.path}:${snapshotFile.path}` : undefined;
  const snapshot = await withBundleFileOnDisk({
    bundle,
    path: snapshotFile.path,
    use: async (filePath) => {
      try {
        const inspection = await inspectSnapshot({ path: filePath });
        return shownPath ? { ...inspection, path: shownPath } : inspection;
      } catch (error) {
        // The reader names the temporary copy, which is gone once this returns: name the bundle entry.
        if (!shownPath || !EtcdDrError.isInstance(error)) throw error;
        throw new EtcdDrError({
          code: error.code,
          message: error.message.replaceAll(filePath, shownPath),
          ...(error.remedy ? { remedy: error.remedy } : {}),
          cause: error,
        });
      }
    },
  });
  return {
    kind: 'bundle',
    path: bundle.path,
    format: bundle.format,
    manifest,
    files,
    snapshot,
    disagreements: compareSnapshotFacts({ manifest, snapshot }),
  };
}

/** Pure: where the manifest's record of the snapshot disagrees with what the snapshot holds. */
export function compareSnapshotFacts(options: {
  manifest: BundleManifest;
  snapshot: SnapshotInspection;
}): string[] {
  const recorded = options.manifest.snapshot;
  const { status, integrity } = options.snapshot;
  const disagreements: string[] = [];
  if (recorded.revision !== status.revision) {
    disagreements.push(`manifest says revision ${recorded.revision}, the snapshot holds ${status.revision}`);
  }
  if (recorded.totalKeys !== status.totalKey) {
    disagreements.push(
      `manifest says ${recorded.totalKeys} total keys, the snapshot holds ${status.totalKey}`,
    );
  }
  const verdict = integrity.verdict === 'unhashed' ? 'unhashed' : 'hashed';
  if (recorded.hash !== verdict) {
    disagreements.push(`manifest says the snapshot is ${recorded.hash}, it is ${verdict}`);
  }
  return disagreements;
}
