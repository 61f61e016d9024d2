import type { V1Pod, V1PodList } from '@kubernetes/client-node';
import type { ClusterConfig } from '../cluster/cluster-config.js';
import type { KubeConnection } from '../transport/kube/connect-kube.js';
import { BackupError } from './backup-error.js';
import type { BackupUserTarget } from './backup-user-target.js';
import { checkControlplaneV2EtcdPods, etcdPodMember, etcdPodSelector } from './controlplane-v2-etcd-pods.js';
import { etcdClientCertificates, planEtcdPodSnapshot } from './plan-etcd-pod-snapshot.js';
import { parseEndpointDbSize, parseEndpointVersion, type RunBackupStep } from './snapshot-etcd-pod.js';

/**
 * Finds the `etcd-NODE` members of a Controlplane V2 user cluster and checks what the runbook requires before
 * a backup: every member Ready and answering `etcdctl endpoint status` (steps `find-etcd`, `check-etcd`). The
 * snapshot is taken from the first configured node's member.
 * @throws BackupError `BACKUP_CONFIG_INCOMPLETE` (no nodes configured), `BACKUP_POD_NOT_FOUND`,
 * `BACKUP_ETCD_UNHEALTHY` naming the member; KubeError.
 */
export async function findControlplaneV2Target(options: {
  config: ClusterConfig;
  kube: KubeConnection;
  step: RunBackupStep;
  temporaryFile: string;
}): Promise<BackupUserTarget> {
  const { kube, step, config } = options;
  const nodes = config.userCluster.controlPlaneNodes;
  const cluster = `user cluster ${config.userCluster.name}`;
  if (nodes.length === 0) {
    throw new BackupError({
      code: 'BACKUP_CONFIG_INCOMPLETE',
      step: 'find-etcd',
      object: 'userCluster.controlPlaneNodes',
      message: `${cluster} uses Controlplane V2 but etcd-dr.yaml lists no userCluster.controlPlaneNodes; their PKI must be backed up over SSH`,
      remedy:
        'add every control-plane node (name, address, identityFile, hostKey) under userCluster.controlPlaneNodes',
    });
  }
  const plans = (pods: V1Pod[]) =>
    pods.map((pod) =>
      planEtcdPodSnapshot({
        namespace: 'kube-system',
        pod: pod.metadata?.name as string,
        container: 'etcd',
        certificates: etcdClientCertificates.controlplaneV2,
        temporaryFile: options.temporaryFile,
        kubeconfigPath: config.userCluster.kubeconfig,
      }),
    );
  const pods = await step(
    'find-etcd',
    async () => {
      const listed = await kube.getJson<V1PodList>(
        'list etcd pods in kube-system of the user cluster',
        '/api/v1/namespaces/kube-system/pods',
        { labelSelector: etcdPodSelector },
      );
      return checkControlplaneV2EtcdPods({
        pods: listed.items,
        nodes: nodes.map((node) => node.name),
        cluster,
      });
    },
    (value) => value.map((pod) => pod.metadata?.name).join(', '),
  );
  const memberPlans = plans(pods);
  const versions = await step(
    'check-etcd',
    () =>
      Promise.all(
        memberPlans.map(async (plan) => {
          const where = `pod kube-system/${plan.pod}`;
          const status = await kube
            .exec({
              namespace: plan.namespace,
              pod: plan.pod,
              container: plan.container,
              command: plan.checkEtcd.command,
            })
            .catch((error: unknown) => {
              throw new BackupError({
                code: 'BACKUP_ETCD_UNHEALTHY',
                step: 'check-etcd',
                object: where,
                message: `etcd member ${plan.pod} of ${cluster} cannot be checked: ${(error as Error).message}`,
                remedy:
                  'a Controlplane V2 backup needs every member healthy; repair it and run the backup again',
                cause: error,
              });
            });
          if (status.exitCode !== 0) {
            throw new BackupError({
              code: 'BACKUP_ETCD_UNHEALTHY',
              step: 'check-etcd',
              object: where,
              message: `etcd member ${plan.pod} of ${cluster} does not answer \`etcdctl endpoint status\`: ${status.stderr.trim().split('\n')[0] || `exit ${status.exitCode}`}`,
              remedy:
                'a Controlplane V2 backup needs every member healthy; check its logs and certificates, then run the backup again',
            });
          }
          const text = status.stdout.toString('utf8');
          return { version: parseEndpointVersion(text), dbSize: parseEndpointDbSize(text) };
        }),
      ),
    (value) => `${value.length} member${value.length > 1 ? 's' : ''} healthy`,
  );
  const members = pods.flatMap((pod) => {
    const member = etcdPodMember(pod);
    return member ? [member] : [];
  });
  return {
    kube,
    plan: memberPlans[0]!,
    ha: pods.length > 1,
    members,
    nodes,
    etcdVersion: versions[0]!.version,
    ...(versions[0]!.dbSize === undefined ? {} : { etcdDbSize: versions[0]!.dbSize }),
  };
}
