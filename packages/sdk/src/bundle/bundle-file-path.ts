import type { BundleEncryption, BundleFileRole } from './bundle-manifest.js';

/** Options of {@link bundleFilePath}. */
export interface BundleFilePathOptions {
  role: BundleFileRole;
  /** Required for `pki` and `admin-pki`: the node the archive came from. */
  node?: string;
  /** Required for `object`: the file name under `objects/`, e.g. `kube-apiserver-pdb.yaml`. */
  name?: string;
  /** Default `none`; `age` appends `.age`. */
  encryption?: BundleEncryption;
}

/**
 * The conventional place of a file in a bundle: `snapshot.db`, `admin/snapshot.db`, `pki/NODE.tar`,
 * `admin/pki/NODE.tar`, `objects/NAME`, each with `.age` appended when encrypted with age.
 * @throws Error when `node` or `name` is missing or is not a single path segment (a programming error).
 */
export function bundleFilePath(options: BundleFilePathOptions): string {
  const segment = (value: string | undefined, what: string): string => {
    if (!value || value.includes('/') || value === '.' || value === '..' || value.includes('\0')) {
      throw new Error(`bundleFilePath: ${what} must be a single path segment, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  const base = {
    snapshot: () => 'snapshot.db',
    'admin-snapshot': () => 'admin/snapshot.db',
    pki: () => `pki/${segment(options.node, 'node')}.tar`,
    'admin-pki': () => `admin/pki/${segment(options.node, 'node')}.tar`,
    object: () => `objects/${segment(options.name, 'name')}`,
  }[options.role]();
  return options.encryption === 'age' ? `${base}.age` : base;
}
