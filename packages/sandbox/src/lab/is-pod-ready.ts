/** True when the API pod object has condition Ready=True. */
export function isPodReady(pod: { status?: unknown }): boolean {
  const conditions =
    (pod.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? [];
  return conditions.some((condition) => condition.type === 'Ready' && condition.status === 'True');
}
