import type { LooseObject } from '../loose-object.js';
import type { RuntimePodStatus } from '../pod-runtime-contract.js';
import type { KubeObject } from '../storage/object-store.js';
import { nowTimestamp } from './pod-helpers.js';

/**
 * The API `status` of a pod from the runtime's view (pure): phase, podIP, Ready/ContainersReady
 * conditions and containerStatuses, keeping transition times that did not change.
 */
export function podStatusFromRuntime(options: {
  pod: KubeObject;
  runtimeStatus: RuntimePodStatus | undefined;
  hostIP?: string;
  waitingReason?: { reason: string; message: string };
}): LooseObject {
  const { pod, runtimeStatus } = options;
  const previous = (pod.status ?? {}) as LooseObject;
  const containers = ((pod.spec as LooseObject | undefined)?.containers ?? []) as LooseObject[];
  const containerStatuses = containers.map((container) => {
    const runtimeContainer = runtimeStatus?.containers.find((candidate) => candidate.name === container.name);
    const old = ((previous.containerStatuses ?? []) as LooseObject[]).find(
      (candidate) => candidate.name === container.name,
    );
    const state = runtimeContainer?.state ?? {
      waiting: options.waitingReason ?? { reason: 'ContainerCreating' },
    };
    const terminatedBefore = old?.state?.terminated ? { terminated: old.state.terminated } : old?.lastState;
    return {
      name: container.name,
      image: container.image,
      imageID: '',
      containerID: runtimeContainer?.started
        ? `containerd://${pod.metadata?.uid}-${container.name}`
        : undefined,
      ready: runtimeContainer?.ready ?? false,
      restartCount: runtimeContainer?.restartCount ?? 0,
      started: runtimeContainer?.started ?? false,
      state,
      lastState:
        'waiting' in state && state.waiting.reason === 'CrashLoopBackOff'
          ? (terminatedBefore ?? {})
          : (old?.lastState ?? {}),
    };
  });
  const allReady = containerStatuses.length > 0 && containerStatuses.every((status) => status.ready);
  const condition = (type: string, ok: boolean): LooseObject => {
    const old = ((previous.conditions ?? []) as LooseObject[]).find((candidate) => candidate.type === type);
    const status = ok ? 'True' : 'False';
    return {
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: old?.status === status ? old.lastTransitionTime : nowTimestamp(),
      ...(ok || type === 'PodScheduled' || type === 'Initialized' ? {} : { reason: 'ContainersNotReady' }),
    };
  };
  const ip = runtimeStatus?.ip;
  return {
    phase: runtimeStatus?.phase ?? 'Pending',
    conditions: [
      condition('Initialized', true),
      condition('Ready', allReady),
      condition('ContainersReady', allReady),
      condition('PodScheduled', true),
    ],
    ...(options.hostIP ? { hostIP: options.hostIP, hostIPs: [{ ip: options.hostIP }] } : {}),
    ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
    startTime: previous.startTime ?? nowTimestamp(),
    containerStatuses: JSON.parse(JSON.stringify(containerStatuses)),
    qosClass: previous.qosClass ?? 'BestEffort',
  };
}
