import { BundleError } from './bundle-error.js';
import { type BundleManifest, bundleFormatVersion, bundleManifestSchema } from './bundle-manifest.js';

/** Options of {@link parseBundleManifest}. */
export interface ParseBundleManifestOptions {
  /** The text of `manifest.json`. */
  text: string;
  /** The bundle it came from, for error messages. */
  bundlePath: string;
}

/**
 * Parses and validates a manifest (pure). The format version is checked before the rest, so a bundle from
 * a newer etcd-dr gets "upgrade etcd-dr" rather than a list of fields this version does not know.
 * @throws BundleError `BUNDLE_MANIFEST_INVALID` (naming the first bad field) or `BUNDLE_VERSION_UNSUPPORTED`.
 */
export function parseBundleManifest(options: ParseBundleManifestOptions): BundleManifest {
  const { bundlePath } = options;
  let data: unknown;
  try {
    data = JSON.parse(options.text);
  } catch (error) {
    throw new BundleError({
      code: 'BUNDLE_MANIFEST_INVALID',
      message: `bundle ${bundlePath}: manifest.json is not JSON (${(error as Error).message})`,
      remedy: 'the manifest is damaged; use another copy of the bundle',
      bundlePath,
      file: 'manifest.json',
      cause: error,
    });
  }
  const version = (data as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && Number.isInteger(version) && version > bundleFormatVersion) {
    throw new BundleError({
      code: 'BUNDLE_VERSION_UNSUPPORTED',
      message: `bundle ${bundlePath}: manifest.json has formatVersion ${version}, this etcd-dr reads up to ${bundleFormatVersion}`,
      remedy: 'upgrade etcd-dr to the version that wrote the bundle or newer',
      bundlePath,
      file: 'manifest.json',
    });
  }
  const parsed = bundleManifestSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.') || '(top level)';
    throw new BundleError({
      code: 'BUNDLE_MANIFEST_INVALID',
      message: `bundle ${bundlePath}: manifest.json field ${field}: ${issue.message}`,
      remedy: 'the manifest is damaged or was edited by hand; use an intact copy of the bundle',
      bundlePath,
      file: 'manifest.json',
    });
  }
  return parsed.data;
}
