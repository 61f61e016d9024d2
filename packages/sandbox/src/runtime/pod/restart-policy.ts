import type { RuntimeContainerStatus, RuntimePodSpec, RuntimePodStatus } from '../pod-runtime.js';

/** Lab back-off: 1 s, doubling per restart in a row, at most 10 s. */
export function restartBackOffSeconds(options: { consecutiveFailures: number }): number {
  return Math.min(10, 2 ** Math.max(0, options.consecutiveFailures - 1));
}

/** A container that ran at least this long before it exited starts its back-off over. */
export const backOffResetSeconds = 10;

/** Whether a container that exited with `exitCode` is started again under the pod's restart policy. */
export function shouldRestart(options: {
  restartPolicy: RuntimePodSpec['restartPolicy'];
  exitCode: number;
}): boolean {
  if (options.restartPolicy === 'Always') return true;
  if (options.restartPolicy === 'OnFailure') return options.exitCode !== 0;
  return false;
}

/** The pod phase Kubernetes derives from its containers' states (`hasRun`: started at least once). */
export function podPhase(options: {
  restartPolicy: RuntimePodSpec['restartPolicy'];
  containers: Array<Pick<RuntimeContainerStatus, 'state'> & { hasRun: boolean }>;
}): RuntimePodStatus['phase'] {
  const { containers } = options;
  if (!containers.every((container) => container.hasRun)) return 'Pending';
  const exitCodes = containers.map((container) =>
    'terminated' in container.state ? container.state.terminated.exitCode : undefined,
  );
  if (exitCodes.every((code) => code !== undefined)) {
    if (exitCodes.every((code) => code === 0)) return 'Succeeded';
    if (options.restartPolicy === 'Never') return 'Failed';
  }
  return 'Running';
}

/** The container's state name, as `kubectl get pods` shows it in STATUS. */
export function terminationReason(exitCode: number): string {
  return exitCode === 0 ? 'Completed' : 'Error';
}
