import type { StaticPodReport } from '../runtime/node/node-agent.js';
import type { RuntimePodStatus } from '../runtime/pod-runtime.js';

/**
 * `sandbox status` lines of lab nodes (pure): one per node (`node NAME ADDRESS (ssh ...)`) and one per
 * static pod on it (`  static pod NAME: STATE[, Ready], restarts N`).
 */
export function nodeStatusLines(options: {
  nodes: Array<{ name: string; ip: string; role: string; behindJumpHost: boolean; pods: StaticPodReport[] }>;
}): string[] {
  return options.nodes.flatMap((node) => [
    `node ${node.name} ${node.ip}: ${node.role}, ssh ubuntu@${node.ip}${node.behindJumpHost ? ' via the jump host' : ''}`,
    ...node.pods.map((pod) => `  static pod ${pod.namespace}/${pod.name}: ${describe(pod.status)}`),
  ]);
}

function describe(status: RuntimePodStatus | undefined): string {
  if (!status) return 'not started';
  const container = status.containers[0];
  const state = container?.state;
  const word = state
    ? 'waiting' in state
      ? state.waiting.reason
      : 'running' in state
        ? 'Running'
        : `Terminated (${state.terminated.reason}, exit code ${state.terminated.exitCode})`
    : status.phase;
  return `${word}${container?.ready ? ', Ready' : ''}, restarts ${container?.restartCount ?? 0}`;
}
