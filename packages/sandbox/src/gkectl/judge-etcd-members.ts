import type { GkectlCheckResult } from './diagnose-result.js';
import { oneLine } from './one-line.js';
import type { EtcdEndpointHealth, EtcdEndpointStatus } from './parse-etcd-endpoint-output.js';

/** What asking one etcd member (from inside its pod) gave. */
export interface EtcdMemberProbe {
  /** The member's pod name, e.g. `kube-etcd-0` or `etcd-user-cluster-1-cp1`. */
  pod: string;
  /** The pod's namespace (in the cluster that runs it). */
  namespace: string;
  /** Why the member could not be asked at all: pod missing, container not running, exec refused. */
  failure?: string;
  health?: EtcdEndpointHealth;
  status?: EtcdEndpointStatus;
}

/** Options of {@link judgeEtcdMembers}. */
export interface JudgeEtcdMembersOptions {
  probes: EtcdMemberProbe[];
  /** Largest allowed difference of raft index between members. Default 50. */
  maxRaftIndexLag?: number;
}

/** The two etcd checks of a diagnose run. */
export interface EtcdMemberJudgement {
  /** `Checking etcd members (health)`: every member answers and says it is healthy. */
  health: GkectlCheckResult;
  /** `Checking etcd members (agreement)`: same cluster ID, a leader, raft indexes close together. */
  agreement: GkectlCheckResult;
}

/**
 * Judges etcd members from what each said about itself. Pure.
 * A member is unhealthy when it could not be asked, when `endpoint health` did not say healthy, or when
 * `endpoint status` gave nothing. Members that answered must share one cluster ID, each see a leader, and
 * have raft indexes within `maxRaftIndexLag` of each other; no member answering is a failed agreement.
 */
export function judgeEtcdMembers(options: JudgeEtcdMembersOptions): EtcdMemberJudgement {
  const maxRaftIndexLag = options.maxRaftIndexLag ?? 50;
  const unhealthy = options.probes.flatMap((probe) => {
    const why = memberProblem(probe);
    return why === undefined ? [] : [{ probe, why }];
  });
  const health: GkectlCheckResult =
    unhealthy.length === 0
      ? success('Checking etcd members (health)')
      : {
          name: 'Checking etcd members (health)',
          status: 'FAILURE',
          reasons: [
            `${unhealthy.length} of ${options.probes.length} etcd member(s) unhealthy: ${unhealthy.map(({ probe }) => probe.pod).join(', ')}.`,
          ],
          unhealthyResources: unhealthy.map(
            ({ probe, why }) => `Pod [${probe.namespace}/${probe.pod}]: ${oneLine(why)}`,
          ),
        };

  const answered = options.probes.flatMap((probe) =>
    probe.status === undefined ? [] : [{ probe, status: probe.status }],
  );
  const reasons: string[] = [];
  const resources: string[] = [];
  if (answered.length === 0) {
    reasons.push('no etcd member answered endpoint status.');
  } else {
    const clusterIds = new Set(answered.map(({ status }) => status.clusterId));
    if (clusterIds.size > 1) {
      reasons.push(`etcd members disagree on the cluster ID (${clusterIds.size} different IDs).`);
      for (const { probe, status } of answered) {
        resources.push(`Pod [${probe.namespace}/${probe.pod}]: cluster ID ${hex(status.clusterId)}`);
      }
    }
    const leaderless = answered.filter(({ status }) => status.leader === '0');
    if (leaderless.length > 0) {
      reasons.push(
        `etcd member(s) without a leader: ${leaderless.map(({ probe }) => probe.pod).join(', ')}.`,
      );
    }
    const indexes = answered.map(({ status }) => status.raftIndex);
    const lag = Math.max(...indexes) - Math.min(...indexes);
    if (lag > maxRaftIndexLag) {
      reasons.push(`etcd members' raft indexes are ${lag} apart (more than ${maxRaftIndexLag}).`);
      for (const { probe, status } of answered) {
        resources.push(`Pod [${probe.namespace}/${probe.pod}]: raft index ${status.raftIndex}`);
      }
    }
  }
  const agreement: GkectlCheckResult =
    reasons.length === 0
      ? success('Checking etcd members (agreement)')
      : {
          name: 'Checking etcd members (agreement)',
          status: 'FAILURE',
          reasons,
          unhealthyResources: resources,
        };
  return { health, agreement };
}

function memberProblem(probe: EtcdMemberProbe): string | undefined {
  if (probe.failure !== undefined) return probe.failure;
  if (probe.health === undefined) return 'etcdctl endpoint health gave no answer';
  if (!probe.health.healthy)
    return `endpoint ${probe.health.endpoint} is unhealthy: ${probe.health.error ?? 'no reason given'}`;
  if (probe.status === undefined) return 'etcdctl endpoint status gave no answer';
  return undefined;
}

function success(name: string): GkectlCheckResult {
  return { name, status: 'SUCCESS', reasons: [], unhealthyResources: [] };
}

function hex(decimal: string): string {
  return BigInt(decimal).toString(16);
}
