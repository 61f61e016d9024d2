import type { ControlPlanePod } from './control-plane-pod.js';
import { failed, type NativeCheck, passed } from './native-check.js';

/** Options of {@link judgeControlPlanePods}. */
export interface JudgeControlPlanePodsOptions {
  /** The control-plane pods found (etcd members and API servers). */
  pods: ControlPlanePod[];
  /** Pod names that must exist, e.g. from StatefulSet replicas. Default: none beyond those found. */
  expectedNames?: string[];
  /** Where they were looked for, for the reasons, e.g. `namespace user-1 of the admin cluster`. */
  where: string;
}

/** Pure: true when the pod's Ready condition is True (else when every container reports ready). */
export function isReady(pod: ControlPlanePod): boolean {
  const condition = pod.status?.conditions?.find((entry) => entry.type === 'Ready');
  if (condition) return condition.status === 'True';
  const containers = pod.status?.containerStatuses ?? [];
  return containers.length > 0 && containers.every((container) => container.ready);
}

/** Pure: `control-plane-pods-ready`: every control-plane pod exists and is Ready; names the ones that are not. */
export function judgeControlPlanePods(options: JudgeControlPlanePodsOptions): NativeCheck {
  const names = new Set(options.pods.map((pod) => pod.metadata?.name ?? ''));
  const missing = (options.expectedNames ?? []).filter((name) => !names.has(name));
  const notReady = options.pods.filter((pod) => !isReady(pod));
  if (options.pods.length === 0) {
    return failed('control-plane-pods-ready', `no control-plane pod in ${options.where}`);
  }
  if (missing.length === 0 && notReady.length === 0) {
    return passed('control-plane-pods-ready', `${options.pods.length} pod(s) Ready in ${options.where}`);
  }
  return failed(
    'control-plane-pods-ready',
    ...missing.map((name) => `${name} is missing from ${options.where}`),
    ...notReady.map((pod) => `${pod.metadata?.name} is not Ready (${podState(pod)})`),
  );
}

function podState(pod: ControlPlanePod): string {
  const containers = pod.status?.containerStatuses ?? [];
  const waiting = containers.find((container) => container.state?.waiting)?.state?.waiting?.reason;
  const restarts = containers.reduce((sum, container) => sum + container.restartCount, 0);
  return `${waiting ?? pod.status?.phase ?? 'Unknown'}, restarts ${restarts}`;
}
