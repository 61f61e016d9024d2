import { shellQuote } from '../../transport/ssh/shell-quote.js';
import { cleanupScript, restoreMemberScript, swapDataScript, unswapDataScript } from './node-scripts.js';
import type { ControlplaneV2NodePaths, RestoreMemberParams } from './node-step-params.js';
import { nodeScriptExecutor } from './run-node-script.js';

/**
 * `controlplane-v2.restore-member`: `snapshot restore` in the etcd-util image into a fresh `STAGING/restored`
 * (a half-written one from a killed run is removed first). Undo removes `STAGING/restored`.
 */
export const restoreMemberExecutor = nodeScriptExecutor<RestoreMemberParams>({
  apply: (params) => ({
    script: restoreMemberScript(params),
    what: `restoring member ${params.memberName} into ${params.stagingDirectory}/restored`,
    timeoutMs: 1_800_000,
  }),
  undo: (params) => ({
    script: `rm -rf -- ${shellQuote(`${params.stagingDirectory}/restored`)}`,
    what: `removing ${params.stagingDirectory}/restored`,
  }),
});

/**
 * `controlplane-v2.swap-data`: the old `member` aside into the staging folder, the restored one into the data
 * directory (renames on one filesystem; each half skipped when done). Undo puts the old member back.
 */
export const swapDataExecutor = nodeScriptExecutor<ControlplaneV2NodePaths>({
  apply: (params) => ({
    script: swapDataScript(params),
    what: `swapping the restored member into ${params.dataHostPath}`,
  }),
  undo: (params) => ({
    script: unswapDataScript(params),
    what: `putting the old member back into ${params.dataHostPath}`,
  }),
});

/** `controlplane-v2.cleanup`: removes the staging and aside folders once every member is healthy. No undo. */
export const cleanupExecutor = nodeScriptExecutor<ControlplaneV2NodePaths>({
  apply: (params) => ({
    script: cleanupScript(params),
    what: `removing ${params.stagingDirectory} and ${params.asideDirectory}`,
  }),
});
