import { access, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import type { StepContext, StepExecutor } from '../../apply/step-executor.js';
import { waitUntil } from '../../apply/wait-until.js';
import { isPodReady } from '../../backup/pick-etcd-pod.js';
import { lastLine } from '../../format/output-line.js';
import type { PlanStep } from '../../plan/plan-step.js';
import type { KubeConnection } from '../../transport/kube/connect-kube.js';
import { KubeError } from '../../transport/kube/kube-error.js';
import { RestoreError } from '../restore-error.js';
import {
  kubeEtcdDataDirectory,
  receiveSnapshotScript,
  restoreMemberScript,
  undoRestoreMemberScript,
} from './kubeception-restore-scripts.js';
import { openSnapshotPlaintext } from './open-snapshot-plaintext.js';
import type { RestoreMemberParams } from './plan-kubeception-restore.js';
import { utilityPodManifest } from './utility-pod-manifest.js';

const container = 'etcd-utility';
const podReadyMs = 180_000;
/** Reasons a pod will not start by waiting longer: fail at once instead of at the timeout. */
const hopeless = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'CreateContainerError',
  'CreateContainerConfigError',
]);

type Step = PlanStep<string, RestoreMemberParams>;

/** A local breadcrumb written before the member's data is touched: undo needs a pod only when it exists. */
function swapMarker(step: Step, context: StepContext): string {
  return join(context.workDirectory, `swap-started-${step.params.restoreId}-${step.params.memberName}`);
}

function failed(step: Step, message: string, remedy: string, cause?: unknown): RestoreError {
  return new RestoreError({
    code: 'RESTORE_STEP_FAILED',
    step: step.id,
    object: `pod ${step.params.namespace}/${step.params.utilityPod}`,
    message: `step ${step.id}: ${message}`,
    remedy,
    ...(cause === undefined ? {} : { cause }),
  });
}

async function readPod(kube: KubeConnection, namespace: string, name: string): Promise<V1Pod | undefined> {
  try {
    return await kube.call(`get pod ${namespace}/${name}`, () =>
      kube.core.readNamespacedPod({ name, namespace }),
    );
  } catch (error) {
    if (KubeError.isInstance(error) && error.code === 'KUBE_NOT_FOUND') return undefined;
    throw error;
  }
}

async function startUtilityPod(step: Step, context: StepContext): Promise<KubeConnection> {
  const kube = await context.adminKube();
  const { namespace, utilityPod } = step.params;
  const existing = await readPod(kube, namespace, utilityPod);
  if (existing && existing.metadata?.labels?.['app.kubernetes.io/managed-by'] !== 'etcd-dr') {
    throw failed(
      step,
      `pod ${namespace}/${utilityPod} exists and was not made by etcd-dr`,
      `delete it (kubectl -n ${namespace} delete pod ${utilityPod}) if it is a leftover of a manual restore, then --resume`,
    );
  }
  if (!existing || existing.metadata?.deletionTimestamp) {
    if (existing) await waitGone(step, context, kube);
    const body = utilityPodManifest({
      namespace,
      name: utilityPod,
      claim: step.params.claim,
      ...(step.params.node ? { node: step.params.node } : {}),
      secret: step.params.secret,
      image: step.params.image,
      restoreId: step.params.restoreId,
    }) as V1Pod;
    await kube.call(`create pod ${namespace}/${utilityPod}`, () =>
      kube.core.createNamespacedPod({ namespace, body }),
    );
  }
  context.onProgress({ stepId: step.id, message: `waiting for ${utilityPod} to be Ready` });
  let last: V1Pod | undefined;
  await waitUntil({
    step: step.id,
    what: `utility pod ${namespace}/${utilityPod} to be Ready`,
    timeoutMs: podReadyMs,
    signal: context.signal,
    describe: () => (last ? podProblem(last) : 'no such pod'),
    check: async () => {
      last = await readPod(kube, namespace, utilityPod);
      if (!last) return undefined;
      const waiting = last.status?.containerStatuses?.[0]?.state?.waiting;
      if (waiting?.reason && hopeless.has(waiting.reason)) {
        throw failed(
          step,
          `utility pod ${namespace}/${utilityPod} cannot start: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`,
          `check the image ${step.params.image} (etcdUtilImage in etcd-dr.yaml) and the Secret ${step.params.secret}`,
        );
      }
      return isPodReady(last) ? true : undefined;
    },
  });
  return kube;
}

function podProblem(pod: V1Pod): string {
  const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
  return `phase ${pod.status?.phase ?? 'Unknown'}${waiting?.reason ? `, ${waiting.reason}` : ''}${pod.spec?.nodeName ? ` on ${pod.spec.nodeName}` : ', not scheduled'}`;
}

async function waitGone(step: Step, context: StepContext, kube: KubeConnection): Promise<void> {
  const { namespace, utilityPod } = step.params;
  await waitUntil({
    step: step.id,
    what: `pod ${namespace}/${utilityPod} to be gone`,
    timeoutMs: 120_000,
    signal: context.signal,
    check: async () => ((await readPod(kube, namespace, utilityPod)) ? undefined : true),
  });
}

async function deleteUtilityPod(step: Step, context: StepContext): Promise<void> {
  const kube = await context.adminKube();
  const { namespace, utilityPod } = step.params;
  try {
    await kube.call(`delete pod ${namespace}/${utilityPod}`, () =>
      kube.core.deleteNamespacedPod({ name: utilityPod, namespace, gracePeriodSeconds: 0 }),
    );
  } catch (error) {
    if (!(KubeError.isInstance(error) && error.code === 'KUBE_NOT_FOUND')) throw error;
  }
  await waitGone(step, context, kube);
}

async function inUtilityPod(
  kube: KubeConnection,
  step: Step,
  context: StepContext,
  script: string,
  stdin?: NodeJS.ReadableStream,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const result = await kube.exec({
    namespace: step.params.namespace,
    pod: step.params.utilityPod,
    container,
    command: ['/bin/sh', '-ec', script],
    ...(stdin ? { stdin: stdin as import('node:stream').Readable } : {}),
    idleTimeoutMs: 300_000,
    signal: context.signal,
  });
  return { exitCode: result.exitCode, stdout: result.stdout.toString('utf8'), stderr: result.stderr };
}

/**
 * `kubeception.restore-member`: runs utility pod `etcd-utility-N` on the member's node with its PVC, streams
 * the snapshot into it (decrypting on the way), restores it as the member (`etcdutl` when present, else
 * `etcdctl`), moves the old data aside to `member.before-restore-ID` and puts the restored member in place,
 * then deletes the utility pod. Idempotent: a resumed run skips what a marker on the PVC says is done.
 * Undo puts the old data back (through a utility pod) when the swap had started, and deletes the pod.
 */
export const restoreMemberExecutor: StepExecutor<RestoreMemberParams> = {
  async apply(step, context) {
    const { params } = step;
    const kube = await startUtilityPod(step, context);
    const done = await inUtilityPod(
      kube,
      step,
      context,
      `test -e ${kubeEtcdDataDirectory}/.etcd-dr-restored-${params.restoreId} && echo yes || echo no`,
    );
    let snapshotBytes: number | undefined;
    let tool: string | undefined;
    if (done.stdout.trim() !== 'yes') {
      context.onProgress({ stepId: step.id, message: `copying the snapshot into ${params.utilityPod}` });
      const plaintext = await openSnapshotPlaintext({
        bundle: context.bundle,
        path: params.snapshot.path,
        encryption: params.snapshot.encryption,
        identities: context.identities,
      });
      const received = await inUtilityPod(
        kube,
        step,
        context,
        receiveSnapshotScript({ restoreId: params.restoreId }),
        plaintext.stream,
      );
      snapshotBytes = await plaintext.done;
      if (received.exitCode !== 0 || Number(received.stdout.trim()) !== snapshotBytes) {
        throw failed(
          step,
          `copying the snapshot into ${params.utilityPod} failed (exit ${received.exitCode}, ${received.stdout.trim() || 0} of ${snapshotBytes} bytes): ${lastLine(received.stderr)}`,
          'check free space in the utility pod and run with --resume',
        );
      }
      await writeFile(swapMarker(step, context), `${params.restoreId}\n`, { mode: 0o600 });
      context.onProgress({
        stepId: step.id,
        message: `restoring ${params.memberName} in ${params.utilityPod}`,
      });
      const restored = await inUtilityPod(kube, step, context, restoreMemberScript(params));
      if (restored.exitCode !== 0) {
        throw failed(
          step,
          restored.exitCode === 28
            ? `not enough space on PVC ${params.claim}: ${lastLine(restored.stderr)}`
            : `snapshot restore for ${params.memberName} exited with ${restored.exitCode}: ${lastLine(restored.stderr)}`,
          restored.exitCode === 28
            ? `grow PVC ${params.claim} or free space on it; the old data is untouched`
            : 'read the message above; the old data is untouched or put back by the rollback',
        );
      }
      tool = /^tool=(\w+)$/m.exec(restored.stdout)?.[1];
    }
    await deleteUtilityPod(step, context);
    return {
      node: params.node ?? null,
      ...(snapshotBytes === undefined ? { alreadyRestored: true } : { snapshotBytes }),
      ...(tool ? { tool } : {}),
    };
  },
  async undo(step, context) {
    const started = await access(swapMarker(step, context)).then(
      () => true,
      () => false,
    );
    if (started) {
      const kube = await startUtilityPod(step, context);
      const undone = await inUtilityPod(kube, step, context, undoRestoreMemberScript(step.params));
      if (undone.exitCode !== 0) {
        throw failed(
          step,
          `putting ${step.params.memberName}'s old data back failed (exit ${undone.exitCode}): ${lastLine(undone.stderr)}`,
          `by hand in a utility pod with PVC ${step.params.claim}: rm -rf member && mv member.before-restore-${step.params.restoreId} member`,
        );
      }
      await rm(swapMarker(step, context), { force: true });
    }
    await deleteUtilityPod(step, context);
  },
};
