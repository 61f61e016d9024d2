import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import * as core from '@actions/core';
import { hashFile, prepareClusterConfig } from '@etcd-dr/actions-shared';
import { backupCluster, EtcdDrError } from '@etcd-dr/sdk';
import packageJson from '../package.json' with { type: 'json' };
import { BackupActionError } from './backup-action-error.js';
import { capRetentionDays } from './cap-retention-days.js';
import { createBackupProgressLogger } from './log-backup-progress.js';
import { readBackupInputs } from './read-backup-inputs.js';
import { renderBackupSummary } from './render-backup-summary.js';

/**
 * The backup action: validates the inputs, runs `backupCluster` into a private temporary folder as one
 * `NAME.tar`, uploads it as the artifact `NAME.tar` (not zipped again: the artifact's digest is the bundle's),
 * sets the outputs and the job summary, and removes every temporary file (secrets, the bundle). Any failure
 * fails the step with the error's one line.
 */
export async function runBackupAction(): Promise<void> {
  const started = Date.now();
  const cleanups: (() => Promise<void>)[] = [];
  const progress = createBackupProgressLogger({ log: core, title: 'etcd-dr backup' });
  try {
    const inputs = await readBackupInputs((name) => core.getInput(name));
    const temporary = process.env.RUNNER_TEMP || tmpdir();
    const prepared = await prepareClusterConfig({
      inputs: inputs.cluster,
      temporaryDirectory: temporary,
      workingDirectory: process.cwd(),
      setSecret: core.setSecret,
    });
    cleanups.push(prepared.remove);
    if (inputs.recipients.length === 0) {
      core.warning(
        'uploading an UNENCRYPTED snapshot (allow-unencrypted: true): it holds every Kubernetes Secret of the cluster, readable by anyone who can download the artifact',
      );
    }
    const retention = capRetentionDays({
      requested: inputs.retentionDays,
      repositoryMaximum: process.env.GITHUB_RETENTION_DAYS,
    });
    if (retention.warning) core.warning(retention.warning);

    const outputDirectory = await mkdtemp(join(temporary, 'etcd-dr-bundle-'));
    cleanups.push(() => rm(outputDirectory, { recursive: true, force: true }));
    await chmod(outputDirectory, 0o700);
    // The admin cluster's etcd and PKI come along (as the runbook's script does) when the config says how to
    // reach its control-plane node; cluster inputs given as secrets alone have no such node.
    const includeAdmin = prepared.config.adminCluster.controlPlaneNode !== undefined;
    if (!includeAdmin) {
      core.warning(
        "the admin cluster is not backed up: the config has no adminCluster.controlPlaneNode (use config with an etcd-dr.yaml that names it to include the admin cluster's etcd and PKI)",
      );
    }
    const backup = await backupCluster({
      config: prepared.config,
      includeAdmin,
      outputDirectory,
      recipients: inputs.recipients,
      format: 'tar',
      ...(inputs.bundleName ? { name: inputs.bundleName } : {}),
      tool: { name: packageJson.name, version: packageJson.version },
      onProgress: progress.onProgress,
    });
    progress.close();
    for (const warning of backup.warnings) core.warning(warning);
    const bundle = await hashFile({ path: backup.path });

    core.startGroup(`Upload artifact ${basename(backup.path)}`);
    const uploaded = await new DefaultArtifactClient().uploadArtifact(
      basename(backup.path),
      [backup.path],
      dirname(backup.path),
      { skipArchive: true, ...(retention.days === undefined ? {} : { retentionDays: retention.days }) },
    );
    core.endGroup();
    if (uploaded.id === undefined || (uploaded.digest !== undefined && uploaded.digest !== bundle.sha256)) {
      throw new BackupActionError({
        code: 'ACTION_UPLOAD_MISMATCH',
        artifact: basename(backup.path),
        message: `artifact ${basename(backup.path)}: the uploaded bytes (sha256 ${uploaded.digest ?? 'unknown'}, id ${uploaded.id ?? 'none'}) are not the bundle's (sha256 ${bundle.sha256})`,
        remedy: 'run the workflow again; delete the artifact of this run if it was kept',
      });
    }
    const digest = `sha256:${bundle.sha256}`;
    core.setOutput('artifact-id', String(uploaded.id));
    core.setOutput('artifact-name', basename(backup.path));
    core.setOutput('bundle-digest', digest);
    core.setOutput('revision', String(backup.manifest.snapshot.revision));
    core.setOutput('total-keys', String(backup.manifest.snapshot.totalKeys));
    core.setOutput('size', String(bundle.size));
    core.setOutput('encrypted', String(inputs.recipients.length > 0));
    await core.summary
      .addRaw(
        renderBackupSummary({
          manifest: backup.manifest,
          artifact: { id: uploaded.id, name: basename(backup.path) },
          digest,
          size: bundle.size,
          recipients: inputs.recipients.length,
          ...(retention.days === undefined ? {} : { retentionDays: retention.days }),
          durationMs: Date.now() - started,
          warnings: [...(retention.warning ? [retention.warning] : []), ...backup.warnings],
        }),
      )
      .write();
    core.info(
      `backed up ${backup.manifest.cluster.name} at revision ${backup.manifest.snapshot.revision}: artifact ${basename(backup.path)} (id ${uploaded.id}), ${digest}`,
    );
  } catch (error) {
    progress.close();
    const line = EtcdDrError.isInstance(error) ? error.toLine() : (error as Error).message;
    await core.summary
      .addRaw(`## etcd-dr backup FAILED\n\n${line}\n`)
      .write()
      .catch(() => undefined);
    core.setFailed(line);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}
