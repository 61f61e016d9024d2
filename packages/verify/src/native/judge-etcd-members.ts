import { failed, type NativeCheck, passed } from './native-check.js';
import type { EtcdEndpointHealth, EtcdEndpointStatus } from './parse-etcd-endpoint-output.js';

/** What asking one etcd member from inside its own pod gave. */
export interface EtcdMemberProbe {
  /** The member's pod, e.g. `kube-etcd-0` or `etcd-cp1`. */
  pod: string;
  /** Why the member could not be asked at all (pod not running, exec refused, no output). */
  failure?: string;
  health?: EtcdEndpointHealth;
  status?: EtcdEndpointStatus;
}

/** One member as the report shows it. IDs in hex, as `etcdctl member list` prints them. */
export interface EtcdMemberState {
  pod: string;
  healthy: boolean;
  clusterId?: string;
  memberId?: string;
  isLeader?: boolean;
  revision?: number;
  raftIndex?: number;
  version?: string;
  /** Why it is not healthy. */
  problem?: string;
}

/** Options of {@link judgeEtcdMembers}. */
export interface JudgeEtcdMembersOptions {
  probes: EtcdMemberProbe[];
  /** How many members the cluster should have (3 for HA, 1 otherwise). Default: as many as probed. */
  expectedMembers?: number;
  /** Largest allowed difference between members' store revisions. Default 10. */
  maxRevisionLag?: number;
}

/** The two etcd checks and the per-member facts they were judged on. */
export interface EtcdMemberJudgement {
  /** `etcd-members-healthy`: every expected member answers and says it is healthy. */
  healthy: NativeCheck;
  /** `etcd-members-agree`: one cluster ID, a leader, revisions within the window. */
  agree: NativeCheck;
  members: EtcdMemberState[];
}

/**
 * Pure: judges etcd members from what each said about itself. A member is unhealthy when it could not be
 * asked, `endpoint health` did not say healthy, or `endpoint status` gave nothing readable. Members that
 * answered must share one cluster ID, see a leader, and have store revisions within `maxRevisionLag`.
 */
export function judgeEtcdMembers(options: JudgeEtcdMembersOptions): EtcdMemberJudgement {
  const maxRevisionLag = options.maxRevisionLag ?? 10;
  const expected = options.expectedMembers ?? options.probes.length;
  const members = options.probes.map(memberState);
  const sick = members.filter((member) => !member.healthy);
  const healthyReasons: string[] = [];
  if (options.probes.length < expected) {
    healthyReasons.push(`${options.probes.length} etcd member pod(s) found, ${expected} expected`);
  }
  for (const member of sick) healthyReasons.push(`${member.pod}: ${member.problem}`);
  const healthy =
    healthyReasons.length === 0
      ? passed('etcd-members-healthy', `${members.length} of ${expected} member(s) healthy`)
      : failed(
          'etcd-members-healthy',
          `${members.length - sick.length} of ${expected} member(s) healthy`,
          ...healthyReasons,
        );

  const answered = options.probes.flatMap((probe) =>
    probe.status === undefined ? [] : [{ pod: probe.pod, status: probe.status }],
  );
  const reasons: string[] = [];
  if (answered.length === 0) {
    reasons.push('no etcd member answered `etcdctl endpoint status`');
  } else {
    const clusterIds = new Set(answered.map(({ status }) => status.clusterId));
    if (clusterIds.size > 1) {
      reasons.push(
        `members disagree on the cluster ID: ${answered.map(({ pod, status }) => `${pod} ${hex(status.clusterId)}`).join(', ')}`,
      );
    }
    const leaderless = answered.filter(({ status }) => status.leader === '0');
    if (leaderless.length > 0) {
      reasons.push(`member(s) without a leader: ${leaderless.map(({ pod }) => pod).join(', ')}`);
    }
    const revisions = answered.map(({ status }) => status.revision);
    const lag = Math.max(...revisions) - Math.min(...revisions);
    if (lag > maxRevisionLag) {
      reasons.push(
        `revisions are ${lag} apart (more than ${maxRevisionLag}): ${answered.map(({ pod, status }) => `${pod} ${status.revision}`).join(', ')}`,
      );
    }
  }
  const agree =
    reasons.length === 0
      ? passed(
          'etcd-members-agree',
          `cluster ID ${hex(answered[0]!.status.clusterId)}, revisions ${summarizeRange(answered.map(({ status }) => status.revision))} across ${answered.length} member(s)`,
        )
      : failed('etcd-members-agree', ...reasons);
  return { healthy, agree, members };
}

function memberState(probe: EtcdMemberProbe): EtcdMemberState {
  const status = probe.status;
  const facts = status
    ? {
        clusterId: hex(status.clusterId),
        memberId: hex(status.memberId),
        isLeader: status.leader !== '0' && status.leader === status.memberId,
        revision: status.revision,
        raftIndex: status.raftIndex,
        version: status.version,
      }
    : {};
  const problem = memberProblem(probe);
  return { pod: probe.pod, healthy: problem === undefined, ...facts, ...(problem ? { problem } : {}) };
}

function memberProblem(probe: EtcdMemberProbe): string | undefined {
  if (probe.failure !== undefined) return probe.failure;
  if (probe.health === undefined) return '`etcdctl endpoint health` gave no readable answer';
  if (!probe.health.healthy) return `unhealthy: ${probe.health.error ?? 'no reason given'}`;
  if (probe.status === undefined) return '`etcdctl endpoint status` gave no readable answer';
  return undefined;
}

function summarizeRange(values: number[]): string {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? `${low}` : `${low}..${high}`;
}

function hex(decimal: string): string {
  try {
    return BigInt(decimal).toString(16);
  } catch {
    return decimal;
  }
}
