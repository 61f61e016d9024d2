/** The parts of a Pod object that readiness is judged on. */
export interface PodForReadiness {
  metadata?: { name?: string; namespace?: string; deletionTimestamp?: string };
  status?: {
    phase?: string;
    conditions?: Array<{ type?: string; status?: string }>;
    containerStatuses?: Array<{
      name?: string;
      ready?: boolean;
      restartCount?: number;
      state?: { waiting?: { reason?: string }; terminated?: { reason?: string; exitCode?: number } };
    }>;
  };
}

/** Options of {@link describePodProblem}. */
export interface DescribePodProblemOptions {
  pod: PodForReadiness;
}

/**
 * Says why a pod is not Ready (`not Ready: phase Running, container kube-etcd CrashLoopBackOff, 3
 * restarts`), or nothing when its Ready condition is True and it is not being deleted. Pure.
 */
export function describePodProblem(options: DescribePodProblemOptions): string | undefined {
  const { pod } = options;
  const ready = pod.status?.conditions?.some(
    (condition) => condition.type === 'Ready' && condition.status === 'True',
  );
  if (ready && pod.metadata?.deletionTimestamp === undefined) return undefined;
  const details = [`phase ${pod.status?.phase ?? 'unknown'}`];
  for (const container of pod.status?.containerStatuses ?? []) {
    if (container.ready) continue;
    const waiting = container.state?.waiting?.reason;
    const terminated = container.state?.terminated;
    const state =
      waiting ??
      (terminated
        ? `${terminated.reason ?? 'Terminated'} (exit code ${terminated.exitCode ?? '?'})`
        : 'not ready');
    details.push(`container ${container.name ?? '?'} ${state}, ${container.restartCount ?? 0} restarts`);
  }
  if (pod.metadata?.deletionTimestamp !== undefined) details.push('being deleted');
  return `not Ready: ${details.join(', ')}`;
}
