import { Writable } from 'node:stream';
import type { StepContext, StepExecutor } from '../../apply/step-executor.js';
import { shellQuote } from '../../transport/ssh/shell-quote.js';
import { ControlplaneV2RestoreError } from './controlplane-v2-restore-error.js';
import {
  listenersScript,
  moveManifestsAsideScript,
  moveManifestsBackScript,
  moveRestoredManifestsInScript,
  moveRestoredManifestsOutScript,
  stoppedMarker,
} from './node-scripts.js';
import type { ControlPlaneManifestParams } from './node-step-params.js';
import { meaningfulErrorLine, pollUntil, runStepScript } from './run-node-script.js';
import { setInitialClusterState } from './set-initial-cluster-state.js';

/** Consecutive polls (1 s apart) that must find etcd's ports closed: a crash-looping etcd is closed in between restarts. */
const quietPolls = 3;

/**
 * `controlplane-v2.stop-control-plane`: moves `kube-apiserver.yaml` then `etcd.yaml` into the root-only aside
 * folder (skipping what is already moved) and waits until nothing listens on etcd's ports. Undo moves the
 * originals back (etcd first).
 */
export const stopControlPlaneExecutor: StepExecutor<ControlPlaneManifestParams> = {
  async apply(step, context) {
    const params = step.params;
    await runStepScript({
      step,
      context,
      nodeScript: {
        script: moveManifestsAsideScript(params),
        what: `moving ${params.manifests.join(', ')} to ${params.asideDirectory}`,
      },
    });
    await waitForPortsClosed({ context, stepId: step.id, params });
    return undefined;
  },
  async undo(step, context) {
    const params = step.params;
    await runStepScript({
      step,
      context,
      nodeScript: {
        script: moveManifestsBackScript(params),
        what: `moving the manifests back from ${params.asideDirectory}`,
      },
    });
  },
};

/**
 * `controlplane-v2.start-control-plane`: writes `etcd.yaml.restored` (the original aside, with
 * `--initial-cluster-state` set; same mode as the original, written as root) and moves it and the other manifests
 * back into the kubelet's folder (etcd first). Done when `etcd.yaml` is back. Undo takes them out again (the
 * edited etcd manifest is removed, the original stays aside) and waits for etcd to stop.
 */
export const startControlPlaneExecutor: StepExecutor<ControlPlaneManifestParams> = {
  async apply(step, context) {
    const params = step.params;
    const ssh = await context.ssh(params.node);
    const live = `${params.manifestsDirectory}/etcd.yaml`;
    const original = `${params.asideDirectory}/etcd.yaml`;
    const state = await ssh.exec({
      command: `if [ -e ${shellQuote(live)} ]; then echo live; else stat -c %a -- ${shellQuote(original)}; fi`,
      sudo: true,
      signal: context.signal,
    });
    const answer = state.stdout.toString().trim();
    if (state.exitCode !== 0 || !/^(live|[0-7]{3,4})$/.test(answer)) {
      throw new ControlplaneV2RestoreError({
        code: 'CPV2_RESTORE_STATE_CONFLICT',
        message: `step ${step.id} on node ${params.node}: neither ${live} nor ${original} exists (${meaningfulErrorLine(state.stderr)})`,
        remedy: `put the node's etcd.yaml back into ${params.asideDirectory} (the bundle may hold a copy), then resume`,
        node: params.node,
        step: step.id,
      });
    }
    if (answer !== 'live') {
      const chunks: Buffer[] = [];
      await ssh.readFile({
        path: original,
        sudo: true,
        signal: context.signal,
        destination: new Writable({
          write(chunk: Buffer, _encoding, callback) {
            chunks.push(chunk);
            callback();
          },
        }),
      });
      const edited = setInitialClusterState({
        text: Buffer.concat(chunks).toString('utf8'),
        state: params.initialClusterState ?? 'new',
      });
      await ssh.writeFile({
        path: `${params.asideDirectory}/etcd.yaml.restored`,
        source: edited,
        mode: Number.parseInt(answer, 8),
        sudo: true,
        signal: context.signal,
      });
    }
    await runStepScript({
      step,
      context,
      nodeScript: {
        script: moveRestoredManifestsInScript(params),
        what: `moving the manifests back into ${params.manifestsDirectory}`,
      },
    });
    return undefined;
  },
  async undo(step, context) {
    const params = step.params;
    const result = await runStepScript({
      step,
      context,
      nodeScript: {
        script: moveRestoredManifestsOutScript(params),
        what: `moving the restored manifests out of ${params.manifestsDirectory}`,
      },
    });
    if (result.stdout.toString().includes(stoppedMarker)) {
      await waitForPortsClosed({ context, stepId: step.id, params });
    }
  },
};

async function waitForPortsClosed(options: {
  context: StepContext;
  stepId: string;
  params: ControlPlaneManifestParams;
}): Promise<void> {
  const { context, params } = options;
  const ssh = await context.ssh(params.node);
  let quiet = 0;
  let lastListeners = '';
  await pollUntil({
    check: async () => {
      const result = await ssh.exec({ command: listenersScript(params.ports), signal: context.signal });
      if (result.exitCode !== 0) {
        throw new Error(`ss failed with exit code ${result.exitCode}: ${result.stderr.trim()}`);
      }
      lastListeners = result.stdout.toString().trim();
      quiet = lastListeners === '' ? quiet + 1 : 0;
      context.onProgress({ stepId: options.stepId, message: `waiting for etcd on ${params.node} to stop` });
      return quiet >= quietPolls ? true : undefined;
    },
    timeoutMs: params.timeoutMs,
    signal: context.signal,
    onTimeout: (last) =>
      new ControlplaneV2RestoreError({
        code: 'CPV2_RESTORE_TIMEOUT',
        message: `step ${options.stepId} on node ${params.node}: etcd still listens on ports ${params.ports.join(', ')} after ${params.timeoutMs} ms${lastListeners ? ` (${lastListeners.split('\n')[0]})` : last ? ` (${(last as Error).message})` : ''}`,
        remedy: `check that the kubelet on ${params.node} stopped the etcd static pod (crictl ps), then resume`,
        node: params.node,
        step: options.stepId,
      }),
  });
}
