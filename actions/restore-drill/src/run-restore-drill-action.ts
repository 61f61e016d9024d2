import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import * as core from '@actions/core';
import { maskSecret, prepareClusterConfig } from '@etcd-dr/actions-shared';
import { type BundleManifest, EtcdDrError, verifyBundle } from '@etcd-dr/sdk';
import { downloadBackupArtifact } from './download-backup-artifact.js';
import { describeSource, findBackupArtifact } from './find-backup-artifact.js';
import { readDrillInputs } from './read-drill-inputs.js';
import { renderDrillSummary } from './render-drill-summary.js';
import { type DrillStepTarget, runDrillStep } from './run-drill-step.js';

/**
 * The restore-drill action: validates the inputs, finds the backup artifact (this run, or another one with
 * `findBy`), downloads it, checks its digest and every file of the bundle (`verifyBundle`), runs the drill
 * (`runDrillStep`), publishes the report as the job summary and fails the job when the verdict is `failed`.
 * Temporary files (secrets, the bundle) are removed; the report JSON is kept in `RUNNER_TEMP`.
 */
export async function runRestoreDrillAction(): Promise<void> {
  const cleanups: (() => Promise<void>)[] = [];
  let summary: Parameters<typeof renderDrillSummary>[0] | undefined;
  try {
    const inputs = readDrillInputs((name) => core.getInput(name), process.env);
    if (inputs.source.kind === 'other-run') core.setSecret(inputs.source.token);
    for (const identity of inputs.identities) maskSecret({ value: identity, setSecret: core.setSecret });
    const temporary = process.env.RUNNER_TEMP || tmpdir();
    const client = new DefaultArtifactClient();

    core.startGroup(`Find the backup artifact in ${describeSource(inputs.source)}`);
    const artifact = await findBackupArtifact({
      client,
      source: inputs.source,
      ...(inputs.artifactName === undefined ? {} : { name: inputs.artifactName }),
      ...(inputs.artifactPrefix === undefined ? {} : { prefix: inputs.artifactPrefix }),
    });
    core.info(
      `artifact ${artifact.name} (id ${artifact.id}, ${artifact.size} bytes, ${artifact.digest ?? 'no digest'})`,
    );
    core.endGroup();

    core.startGroup(`Download and verify ${artifact.name}`);
    const scratch = await mkdtemp(join(temporary, 'etcd-dr-drill-'));
    cleanups.push(() => rm(scratch, { recursive: true, force: true }));
    const downloaded = await downloadBackupArtifact({
      client,
      artifact,
      source: inputs.source,
      directory: join(scratch, 'artifact'),
    });
    const verification = await verifyBundle({ path: downloaded.path });
    if (!verification.ok) throw verification.error;
    const manifest: BundleManifest = verification.bundle.manifest;
    core.info(
      `bundle of ${manifest.cluster.name} at revision ${manifest.snapshot.revision}: ${verification.files.length} files verified (${downloaded.digest})`,
    );
    core.endGroup();
    core.setOutput('artifact-id', String(artifact.id));
    core.setOutput('artifact-name', artifact.name);
    core.setOutput('bundle-digest', downloaded.digest);
    core.setOutput('revision', String(manifest.snapshot.revision));
    summary = {
      artifact: {
        id: artifact.id,
        name: artifact.name,
        digest: downloaded.digest,
        from: describeSource(inputs.source),
      },
      manifest,
      verifiedFiles: verification.files.length,
    };

    let target: DrillStepTarget;
    if (inputs.target.mode === 'target') {
      const prepared = await prepareClusterConfig({
        inputs: inputs.target.cluster,
        temporaryDirectory: temporary,
        workingDirectory: process.cwd(),
        setSecret: core.setSecret,
      });
      cleanups.push(prepared.remove);
      target = {
        mode: 'target',
        configPath: prepared.configPath,
        allowUnhealthy: inputs.target.allowUnhealthy,
      };
    } else {
      target = { mode: 'sandbox', topology: inputs.target.topology, ha: manifest.cluster.ha };
    }

    core.startGroup(
      `Restore drill (${target.mode === 'sandbox' ? `sandbox ${target.topology}` : 'test cluster'})`,
    );
    const workDirectory = join(scratch, 'work');
    await mkdir(workDirectory, { mode: 0o700 });
    const drill = await runDrillStep({
      bundlePath: downloaded.path,
      target,
      identities: inputs.identities,
      workDirectory,
      onLog: (line) => core.info(line),
    });
    core.endGroup();
    summary = { ...summary, drill };
    const reportPath = join(temporary, `etcd-dr-drill-report-${artifact.id}.json`);
    await writeFile(reportPath, `${JSON.stringify(drill.report, null, 2)}\n`);
    core.setOutput('verdict', drill.report.verdict);
    core.setOutput('report-path', reportPath);
    await core.summary.addRaw(renderDrillSummary(summary)).write();
    if (drill.report.verdict === 'failed') {
      core.setFailed(`restore drill FAILED: ${drill.report.failures[0] ?? 'see the job summary'}`);
    }
  } catch (error) {
    core.endGroup();
    const line = EtcdDrError.isInstance(error) ? error.toLine() : (error as Error).message;
    if (summary) await core.summary.addRaw(renderDrillSummary({ ...summary, error: line })).write();
    core.setFailed(line);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}
