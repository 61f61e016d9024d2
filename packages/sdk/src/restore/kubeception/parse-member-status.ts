/** One member's answer to `etcdctl endpoint health` + `endpoint status -w json`, as etcd-dr judges it. */
export interface MemberStatus {
  /** `endpoint health` succeeded. */
  healthy: boolean;
  revision?: number;
  /** uint64 IDs as decimal strings: JSON numbers would lose precision. */
  clusterId?: string;
  memberId?: string;
  leader?: string;
  version?: string;
}

/**
 * Pure: reads `etcdctl endpoint status -w json` output (one endpoint). IDs are taken from the text, not
 * from JSON numbers, because uint64 IDs do not fit a double.
 */
export function parseMemberStatus(options: { text: string; healthy: boolean }): MemberStatus {
  const { text } = options;
  const number = (name: string) => new RegExp(`"${name}":\\s*(\\d+)`).exec(text)?.[1];
  const revision = number('revision');
  const clusterId = number('cluster_id');
  const memberId = number('member_id');
  const leader = number('leader');
  const version = /"version":\s*"([^"]+)"/.exec(text)?.[1];
  return {
    healthy: options.healthy,
    ...(revision ? { revision: Number(revision) } : {}),
    ...(clusterId ? { clusterId } : {}),
    ...(memberId ? { memberId } : {}),
    ...(leader ? { leader } : {}),
    ...(version ? { version } : {}),
  };
}

/** Pure: why these members are not yet a healthy cluster at `minRevision`, or undefined when they are. */
export function membersProblem(options: {
  members: Array<{ name: string; status: MemberStatus | undefined }>;
  minRevision: number;
}): string | undefined {
  const problems: string[] = [];
  for (const { name, status } of options.members) {
    if (!status) problems.push(`${name} does not answer`);
    else if (!status.healthy) problems.push(`${name} is not healthy`);
    else if (status.revision === undefined || status.revision < options.minRevision) {
      problems.push(`${name} is at revision ${status.revision ?? '?'} < ${options.minRevision}`);
    } else if (!status.leader || status.leader === '0') problems.push(`${name} sees no leader`);
  }
  if (problems.length > 0) return problems.join(', ');
  const clusters = new Set(options.members.map(({ status }) => status?.clusterId));
  if (clusters.size > 1) return `the members report different cluster IDs (${[...clusters].join(', ')})`;
  return undefined;
}
