import type { StepExecutor } from '../../apply/step-executor.js';
import { shellQuote } from '../../transport/ssh/shell-quote.js';
import { ControlplaneV2RestoreError } from './controlplane-v2-restore-error.js';
import type { RestorePkiParams } from './node-step-params.js';
import { meaningfulErrorLine } from './run-node-script.js';
import { openPlaintextBundleFile } from './stream-bundle-file.js';

/** The extraction: only `etc/kubernetes/pki`, never over an existing file (GNU tar then also leaves the modes of existing folders alone). */
export const restorePkiTarCommand = 'tar -C / -xf - --skip-old-files etc/kubernetes/pki';

/**
 * `controlplane-v2.restore-pki`: streams the node's PKI archive from the bundle (decrypted in memory) into
 * `tar -x` as root on the node, writing only the files that are missing, with the archive's owners and modes.
 * Idempotent (a second run finds every file and writes nothing). No undo: it only adds files that were missing.
 */
export const restorePkiExecutor: StepExecutor<RestorePkiParams> = {
  async apply(step, context) {
    const params = step.params;
    const ssh = await context.ssh(params.node);
    const plaintext = await openPlaintextBundleFile({
      context,
      stepId: step.id,
      path: params.bundleFile,
      encryption: params.encryption,
    });
    let result: Awaited<ReturnType<typeof ssh.exec>>;
    try {
      result = await ssh.exec({
        command: restorePkiTarCommand,
        sudo: true,
        stdin: plaintext.stream,
        signal: context.signal,
        timeoutMs: 300_000,
      });
    } catch (error) {
      plaintext.stream.destroy();
      throw error;
    }
    // tar stops reading at the archive's end marker: read the rest, so the whole file is decrypted and
    // authenticated before the step counts as done.
    plaintext.stream.unpipe();
    plaintext.stream.resume();
    await plaintext.done;
    const check = await ssh.exec({
      command: params.missing
        .map((file) => `test -e ${shellQuote(`/etc/kubernetes/pki/${file}`)} || echo ${shellQuote(file)}`)
        .join('; '),
      sudo: true,
      signal: context.signal,
    });
    const stillMissing = check.stdout.toString().trim().split('\n').filter(Boolean);
    if (result.exitCode !== 0 || stillMissing.length > 0) {
      throw new ControlplaneV2RestoreError({
        code: 'CPV2_RESTORE_COMMAND_FAILED',
        message: `step ${step.id} on node ${params.node}: extracting ${params.bundleFile} ${
          result.exitCode !== 0
            ? `failed with exit code ${result.exitCode}: ${meaningfulErrorLine(result.stderr)}`
            : 'did not bring back'
        }${stillMissing.length > 0 ? ` (still missing: ${stillMissing.join(', ')})` : ''}`,
        remedy: `check /etc/kubernetes/pki on ${params.node} and that the bundle's PKI archive is of this node`,
        node: params.node,
        step: step.id,
      });
    }
    return { restored: params.missing };
  },
};
