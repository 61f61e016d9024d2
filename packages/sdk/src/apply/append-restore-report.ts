import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type BundleRestoreReport, bundleManifestSchema } from '../bundle/bundle-manifest.js';
import type { Bundle } from '../bundle/read-bundle.js';
import { writeFileAtomic } from './write-file-atomic.js';

/**
 * Appends a restore report to a directory bundle's `manifest.json` (`restores`), atomically. A `.tar` bundle
 * is not rewritten (`skipped`): appending would change the archive others may have hashed.
 * Never throws: a bundle on read-only storage must not fail a restore (`failed`).
 */
export async function appendRestoreReport(options: {
  bundle: Bundle;
  report: BundleRestoreReport;
}): Promise<'appended' | 'skipped' | 'failed'> {
  if (options.bundle.format !== 'directory') return 'skipped';
  const path = join(options.bundle.path, 'manifest.json');
  try {
    const current = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    const restores = Array.isArray(current.restores) ? current.restores : [];
    const next = { ...current, restores: [...restores, options.report] };
    bundleManifestSchema.parse(next);
    const mode = (await stat(path)).mode & 0o777;
    await writeFileAtomic({ path, content: `${JSON.stringify(next, null, 2)}\n`, mode });
    return 'appended';
  } catch {
    return 'failed';
  }
}
