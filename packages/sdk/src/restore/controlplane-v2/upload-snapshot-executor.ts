import type { StepExecutor } from '../../apply/step-executor.js';
import { shellQuote } from '../../transport/ssh/shell-quote.js';
import { ControlplaneV2RestoreError } from './controlplane-v2-restore-error.js';
import { prepareStagingScript, removeSnapshotScript } from './node-scripts.js';
import type { UploadSnapshotParams } from './node-step-params.js';
import { runStepScript } from './run-node-script.js';
import { openPlaintextBundleFile } from './stream-bundle-file.js';

/**
 * `controlplane-v2.upload-snapshot`: checks free space, then streams the bundle's snapshot (decrypted in memory)
 * into `STAGING/snapshot.db` (root, 0600, written beside and renamed, so a killed upload leaves no partial
 * file in its place) and compares the SHA-256 the node computes with what was sent and, for an unencrypted
 * snapshot, with the bundle manifest's digest: a copy that differs is removed and the step fails, so the
 * members can restore it with `--skip-hash-check`. Running it again uploads again.
 * Outputs `{ sha256, bytes }` of the plaintext.
 */
export const uploadSnapshotExecutor: StepExecutor<UploadSnapshotParams> = {
  async apply(step, context) {
    const params = step.params;
    const snapshotPath = `${params.stagingDirectory}/snapshot.db`;
    const prepared = await runStepScript({
      step,
      context,
      nodeScript: { script: prepareStagingScript(params), what: `creating ${params.stagingDirectory}` },
    });
    const alreadyThere = Number(prepared.stdout.toString().trim()) || 0;
    const ssh = await context.ssh(params.node);
    const free = await ssh.statDiskFree({ path: params.stagingDirectory, signal: context.signal });
    if (free.availableBytes + alreadyThere < params.requiredBytes) {
      throw new ControlplaneV2RestoreError({
        code: 'CPV2_RESTORE_NODE_NOT_READY',
        message: `node ${params.node} has ${Math.floor(free.availableBytes / 1048576)} MiB free on ${free.mountPoint} (${params.stagingDirectory}), the restore needs ${Math.ceil(params.requiredBytes / 1048576)} MiB`,
        remedy: 'free space on the data disk, then resume the restore',
        node: params.node,
        step: step.id,
      });
    }
    const plaintext = await openPlaintextBundleFile({
      context,
      stepId: step.id,
      path: params.bundleFile,
      encryption: params.encryption,
    });
    try {
      await ssh.writeFile({
        path: snapshotPath,
        source: plaintext.stream,
        mode: 0o600,
        sudo: true,
        signal: context.signal,
      });
    } finally {
      plaintext.stream.destroy();
    }
    const sent = await plaintext.done;
    const check = await runStepScript({
      step,
      context,
      nodeScript: { script: `sha256sum -- ${shellQuote(snapshotPath)}`, what: `hashing ${snapshotPath}` },
    });
    const remote = check.stdout.toString().trim().split(/\s+/)[0];
    // The stored bytes of an age file hash to the manifest's digest, not the plaintext; age authenticates those.
    const recorded =
      params.encryption === 'none'
        ? context.bundle.manifest.files.find((file) => file.path === params.bundleFile)?.sha256
        : undefined;
    const bundleChanged = recorded !== undefined && sent.sha256 !== recorded;
    if (bundleChanged || remote !== sent.sha256) {
      await runStepScript({
        step,
        context,
        nodeScript: {
          script: `rm -f -- ${shellQuote(snapshotPath)}`,
          what: `removing the damaged ${snapshotPath}`,
        },
      });
      throw new ControlplaneV2RestoreError({
        code: 'CPV2_RESTORE_COMMAND_FAILED',
        message: bundleChanged
          ? `node ${params.node}: the bundle's ${params.bundleFile} read for the upload has SHA-256 ${sent.sha256.slice(0, 12)}…, its manifest says ${recorded.slice(0, 12)}…; the copy was removed`
          : `node ${params.node}: ${snapshotPath} has SHA-256 ${remote?.slice(0, 12)}…, ${sent.sha256.slice(0, 12)}… was sent; the copy was removed`,
        remedy: bundleChanged
          ? `the bundle ${context.bundle.path} changed or is damaged since it was verified; check it (etcd-dr inspect) and restore from an intact copy`
          : 'the transfer was damaged; resume the restore to upload it again',
        node: params.node,
        step: step.id,
        isRetryable: !bundleChanged,
      });
    }
    context.onProgress({
      stepId: step.id,
      message: `uploaded ${params.bundleFile}`,
      bytesDone: sent.bytes,
      bytesTotal: sent.bytes,
    });
    return { sha256: sent.sha256, bytes: sent.bytes };
  },
  async undo(step, context) {
    const params = step.params;
    await runStepScript({
      step,
      context,
      nodeScript: {
        script: removeSnapshotScript(params),
        what: `removing ${params.stagingDirectory}/snapshot.db`,
      },
    });
  },
};
