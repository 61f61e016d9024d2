import type { StepContext, StepExecutor } from '../../apply/step-executor.js';
import { ControlplaneV2RestoreError } from './controlplane-v2-restore-error.js';
import { memberProbeDockerCommand } from './node-scripts.js';
import type { WaitHealthyParams } from './node-step-params.js';
import { type MemberProbe, parseMemberProbe } from './parse-member-probe.js';
import { meaningfulErrorLine, pollUntil } from './run-node-script.js';

/** A member as the restore leaves it; the `members` output of `controlplane-v2.wait-healthy`. */
export interface RestoredMember {
  name: string;
  node: string;
  healthy: boolean;
  revision: number;
  clusterId: string;
}

/**
 * `controlplane-v2.wait-healthy`: probes every member over SSH (etcdctl in the etcd-util image, the node's
 * healthcheck-client certificate) until all are healthy, agree on one cluster ID and one leader, and are at the
 * snapshot's revision or later; then, when asked, waits for the user API to list the control-plane pods
 * `etcd-NODE` and `kube-apiserver-NODE` Ready. Changes nothing, so it has no undo.
 * Outputs `{ members: RestoredMember[] }`.
 */
export const waitHealthyExecutor: StepExecutor<WaitHealthyParams> = {
  async apply(step, context) {
    const params = step.params;
    const deadline = Date.now() + params.timeoutMs;
    let lastProblem = 'no probe ran yet';
    const members = await pollUntil({
      check: async () => {
        const probes = await Promise.all(
          params.members.map((member) => probeMember({ context, params, member })),
        );
        const problem = describeProblem({ params, probes });
        if (problem) {
          lastProblem = problem;
          context.onProgress({ stepId: step.id, message: `waiting: ${problem}` });
          return undefined;
        }
        return params.members.map((member, index) => ({
          name: member.memberName,
          node: member.node,
          healthy: true,
          revision: (probes[index] as MemberProbe).revision,
          clusterId: (probes[index] as MemberProbe).clusterId,
        }));
      },
      timeoutMs: params.timeoutMs,
      intervalMs: 2000,
      signal: context.signal,
      onTimeout: () =>
        timeout(step.id, `the etcd members are not healthy after ${params.timeoutMs} ms: ${lastProblem}`),
    });
    if (params.checkApi) {
      await pollUntil({
        check: async () => {
          const kube = await context.userKube();
          const pods = await kube.call('list control-plane pods in kube-system', () =>
            kube.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'tier=control-plane' }),
          );
          const notReady = params.members
            .flatMap((member) => [`etcd-${member.node}`, `kube-apiserver-${member.node}`])
            .filter((name) => {
              const pod = pods.items.find((item) => item.metadata?.name === name);
              return !pod?.status?.conditions?.some(
                (condition) => condition.type === 'Ready' && condition.status === 'True',
              );
            });
          if (notReady.length > 0) {
            lastProblem = `pods not Ready: ${notReady.join(', ')}`;
            context.onProgress({ stepId: step.id, message: `waiting: ${lastProblem}` });
            return undefined;
          }
          return true;
        },
        timeoutMs: Math.max(deadline - Date.now(), 30_000),
        intervalMs: 2000,
        signal: context.signal,
        onTimeout: (last) =>
          timeout(
            step.id,
            `the user cluster's API or its control-plane pods are not Ready: ${last ? (last as Error).message : lastProblem}`,
          ),
      });
    }
    return { members };
  },
};

async function probeMember(options: {
  context: StepContext;
  params: WaitHealthyParams;
  member: WaitHealthyParams['members'][number];
}): Promise<MemberProbe | string> {
  const { context, params, member } = options;
  try {
    const ssh = await context.ssh(member.node);
    const result = await ssh.exec({
      command: memberProbeDockerCommand({
        image: params.image,
        tool: 'etcdctl',
        clientUrl: member.clientUrl,
      }),
      sudo: true,
      timeoutMs: 60_000,
      signal: context.signal,
    });
    const probe = parseMemberProbe({ output: `${result.stdout.toString()}\n${result.stderr}` });
    if (probe) return probe;
    const line = meaningfulErrorLine(result.stderr);
    return `${member.memberName} on ${member.node} does not answer${line ? ` (${line})` : ''}`;
  } catch (error) {
    return `${member.memberName} on ${member.node} cannot be probed: ${(error as Error).message}`;
  }
}

function describeProblem(options: {
  params: WaitHealthyParams;
  probes: Array<MemberProbe | string>;
}): string | undefined {
  const { params, probes } = options;
  const problems: string[] = [];
  probes.forEach((probe, index) => {
    const member = params.members[index]!;
    if (typeof probe === 'string') problems.push(probe);
    else if (!probe.healthy) problems.push(`${member.memberName} is unhealthy`);
    else if (probe.leader === '0') problems.push(`${member.memberName} sees no leader`);
    else if (probe.revision < params.revision) {
      problems.push(
        `${member.memberName} is at revision ${probe.revision}, the snapshot at ${params.revision}`,
      );
    }
  });
  if (problems.length > 0) return problems.join('; ');
  const answered = probes as MemberProbe[];
  if (new Set(answered.map((probe) => probe.clusterId)).size > 1)
    return 'the members report different cluster IDs';
  if (new Set(answered.map((probe) => probe.leader)).size > 1) return 'the members name different leaders';
  return undefined;
}

function timeout(stepId: string, message: string): ControlplaneV2RestoreError {
  return new ControlplaneV2RestoreError({
    code: 'CPV2_RESTORE_TIMEOUT',
    message: `step ${stepId}: ${message}`,
    remedy:
      'read the etcd logs on the nodes (crictl logs, or the etcd pod logs); undo the restore or fix the members and resume',
    step: stepId,
  });
}
