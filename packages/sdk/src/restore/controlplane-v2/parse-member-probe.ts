/** One etcd member as `etcdctl endpoint health` + `endpoint status -w json` described it. */
export interface MemberProbe {
  /** The endpoint answered `is healthy` (a quorum read succeeded). */
  healthy: boolean;
  /** IDs as decimal strings: they are uint64, beyond what a JSON number holds exactly. */
  clusterId: string;
  memberId: string;
  /** The leader's member ID; `0` when the member sees none. */
  leader: string;
  revision: number;
}

/**
 * Reads the output of `etcdctl endpoint health && etcdctl endpoint status -w json` for one endpoint.
 * Returns undefined when the status part is missing (the member did not answer).
 */
export function parseMemberProbe(options: { output: string }): MemberProbe | undefined {
  const { output } = options;
  const field = (name: string) => new RegExp(`"${name}"\\s*:\\s*(\\d+)`).exec(output)?.[1];
  const clusterId = field('cluster_id');
  const memberId = field('member_id');
  const revision = field('revision');
  const leader = field('leader');
  if (clusterId === undefined || memberId === undefined || revision === undefined) return undefined;
  return {
    healthy: /\bis healthy\b/.test(output) && !/\bis unhealthy\b/.test(output),
    clusterId,
    memberId,
    leader: leader ?? '0',
    revision: Number(revision),
  };
}
