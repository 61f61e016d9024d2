import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactClient } from '@actions/artifact';
import { hashFile } from '@etcd-dr/actions-shared';
import { DrillActionError } from './drill-action-error.js';
import { describeSource, findByOf } from './find-backup-artifact.js';
import type { ArtifactSource } from './read-drill-inputs.js';
import type { ListedArtifact } from './select-backup-artifact.js';

/** Options of {@link downloadBackupArtifact}. */
export interface DownloadBackupArtifactOptions {
  client: ArtifactClient;
  artifact: ListedArtifact;
  source: ArtifactSource;
  /** An empty folder the artifact's file is written to. */
  directory: string;
}

/** The downloaded bundle `.tar`. */
export interface DownloadedBundle {
  path: string;
  size: number;
  /** `sha256:HEX`, checked against the artifact's digest when the service records one. */
  digest: string;
}

/**
 * Downloads a bundle artifact (the `.tar` the backup action uploads unzipped) and checks its SHA-256 against
 * the digest recorded at upload.
 * @throws DrillActionError `ACTION_ARTIFACT_CORRUPT` when the bytes differ or the artifact is not one `.tar`.
 */
export async function downloadBackupArtifact(
  options: DownloadBackupArtifactOptions,
): Promise<DownloadedBundle> {
  const { artifact, directory } = options;
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await options.client.downloadArtifact(artifact.id, {
    path: directory,
    ...(artifact.digest ? { expectedHash: artifact.digest } : {}),
    ...findByOf(options.source),
  });
  const files = await readdir(directory);
  if (files.length !== 1 || !files[0]!.endsWith('.tar')) {
    throw new DrillActionError({
      code: 'ACTION_ARTIFACT_CORRUPT',
      message: `artifact ${artifact.name} (id ${artifact.id}) of ${describeSource(options.source)} holds ${files.join(', ') || 'nothing'}, not one bundle .tar`,
      remedy: 'pick an artifact uploaded by the etcd-dr backup action (artifact-name NAME.tar)',
    });
  }
  const path = join(directory, files[0]!);
  const { sha256, size } = await hashFile({ path });
  const digest = `sha256:${sha256}`;
  if (artifact.digest && artifact.digest !== digest) {
    throw new DrillActionError({
      code: 'ACTION_ARTIFACT_CORRUPT',
      message: `artifact ${artifact.name} (id ${artifact.id}) downloaded as ${size} bytes with ${digest}, but it was uploaded with ${artifact.digest}`,
      remedy: 'run the drill again; if it persists the stored artifact is damaged: drill from another backup',
    });
  }
  return { path, size, digest };
}
