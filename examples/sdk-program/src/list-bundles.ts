import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EtcdDrError, readBundle } from '@etcd-dr/sdk';

/** One bundle found in a folder. */
export interface BundleListing {
  path: string;
  cluster: string;
  createdAt: string;
  revision: number;
  totalKeys: number;
  /** True when the snapshot is stored age-encrypted. */
  encrypted: boolean;
}

/**
 * The bundles (directories or `.tar` files) in `directory`, newest first. Entries that are not bundles are
 * skipped; only manifests are read (use `verifyBundle` before trusting the files).
 */
export async function listBundles(options: { directory: string }): Promise<BundleListing[]> {
  const listings: BundleListing[] = [];
  for (const name of await readdir(options.directory)) {
    if (name.startsWith('.')) continue;
    const path = join(options.directory, name);
    try {
      const { manifest } = await readBundle({ path });
      listings.push({
        path,
        cluster: manifest.cluster.name,
        createdAt: manifest.createdAt,
        revision: manifest.snapshot.revision,
        totalKeys: manifest.snapshot.totalKeys,
        encrypted: manifest.files.some((file) => file.role === 'snapshot' && file.encryption === 'age'),
      });
    } catch (error) {
      if (!EtcdDrError.isInstance(error)) throw error;
    }
  }
  return listings.sort((left, right) => right.createdAt.localeCompare(left.createdAt));
}
