import type { StepExecutor } from '../../apply/step-executor.js';
import { waitUntil } from '../../apply/wait-until.js';
import type { KubeConnection } from '../../transport/kube/connect-kube.js';
import { type MemberStatus, membersProblem, parseMemberStatus } from './parse-member-status.js';
import type { WaitEtcdHealthyParams } from './plan-kubeception-restore.js';

const certificates =
  '--cacert=/etcd.local.config/certificates/etcdCA.crt --cert=/etcd.local.config/certificates/etcd.crt --key=/etcd.local.config/certificates/etcd.key';
const etcdctl = `ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 ${certificates} --command-timeout=5s`;

/** Asks one member, in its own pod with its own certificates, for its health and status. */
export async function kubeEtcdMemberStatus(options: {
  kube: KubeConnection;
  namespace: string;
  pod: string;
  signal?: AbortSignal;
}): Promise<MemberStatus | undefined> {
  try {
    const result = await options.kube.exec({
      namespace: options.namespace,
      pod: options.pod,
      container: 'kube-etcd',
      command: [
        '/bin/sh',
        '-c',
        `if ${etcdctl} endpoint health >/dev/null 2>&1; then echo healthy; else echo unhealthy; fi; ${etcdctl} endpoint status -w json`,
      ],
      timeoutMs: 20_000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const text = result.stdout.toString('utf8');
    return parseMemberStatus({ text, healthy: text.startsWith('healthy') });
  } catch {
    return undefined;
  }
}

/**
 * `kubeception.wait-etcd-healthy`: waits until every member answers healthy in its own pod, at the snapshot's
 * revision or later, with a leader and one cluster ID. Outputs `members: [{ name, healthy, revision }]`, which
 * `applyRestore` reports. Changes nothing.
 */
export const waitEtcdHealthyExecutor: StepExecutor<WaitEtcdHealthyParams> = {
  async apply(step, context) {
    const kube = await context.adminKube();
    const { namespace, members, minRevision } = step.params;
    let statuses: Array<{ name: string; status: MemberStatus | undefined }> = [];
    await waitUntil({
      step: step.id,
      what: `members ${members.join(', ')} to be healthy at revision ${minRevision} or later`,
      timeoutMs: step.params.timeoutMs,
      intervalMs: 2_000,
      signal: context.signal,
      describe: () => membersProblem({ members: statuses, minRevision }),
      check: async () => {
        statuses = await Promise.all(
          members.map(async (name) => ({
            name,
            status: await kubeEtcdMemberStatus({ kube, namespace, pod: name, signal: context.signal }),
          })),
        );
        const problem = membersProblem({ members: statuses, minRevision });
        if (problem) context.onProgress({ stepId: step.id, message: problem });
        return problem === undefined ? true : undefined;
      },
    });
    return {
      members: statuses.map(({ name, status }) => ({
        name,
        healthy: status?.healthy ?? false,
        revision: status?.revision ?? 0,
        clusterId: status?.clusterId ?? null,
        version: status?.version ?? null,
      })),
    };
  },
};
