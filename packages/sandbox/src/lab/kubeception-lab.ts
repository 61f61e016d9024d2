import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ApiServer, createApiServer } from '../apiserver/create-api-server.js';
import { findResourceTypeByKind } from '../apiserver/resource-types.js';
import { createPki } from '../runtime/pki/create-pki.js';
import { SandboxError } from '../runtime/sandbox-error.js';
import {
  type AdminCluster,
  adminControlPlaneNodeName,
  adminPkiCluster,
  buildAdminCluster,
} from './admin-cluster.js';
import { corruptMemberData } from './corrupt-member-data.js';
import { gateOnReadiness } from './gate-on-readiness.js';
import { isPodReady } from './is-pod-ready.js';
import { killContainerProcesses } from './kill-container-processes.js';
import { kubeceptionManifests, userClusterObjects } from './kubeception-manifests.js';
import { kubeceptionPkiPlan } from './kubeception-pki-plan.js';
import { nodeStatusLines } from './node-status-lines.js';
import { pkiFile } from './pki-file.js';
import type { SandboxOptions } from './sandbox-options.js';
import { startLabNodes } from './start-lab-nodes.js';
import { readyNode, storeObjects } from './store-objects.js';
import type { TopologyLab, TopologyLabHost } from './topology-lab.js';
import { waitFor } from './wait-for.js';
import { writeClusterConfig } from './write-cluster-config.js';
import { writeLabKubeconfigs } from './write-lab-kubeconfigs.js';

const podType = findResourceTypeByKind({ group: '', kind: 'Pod' })!;
const statefulSetType = findResourceTypeByKind({ group: 'apps', kind: 'StatefulSet' })!;

/**
 * Builds the Kubeception shape: an admin cluster ({@link buildAdminCluster}: node `admin-cp` with its etcd
 * static pod, the simulated admin API server) hosting, in namespace USER, the user cluster's etcd StatefulSet `kube-etcd` (real etcd members), its
 * API server StatefulSet, `gke-master-etcd-maintenance` and `kube-apiserver-pdb`; then the user cluster's
 * API server, whose objects live in `kube-etcd` and which answers only while `kube-apiserver` has a Ready
 * replica. Resolves when every pod is Ready.
 */
export async function buildKubeceptionLab(
  options: SandboxOptions,
  host: TopologyLabHost,
): Promise<TopologyLab> {
  const { dir } = options;
  const { network, log } = host;
  const namespace = options.userClusterName;
  const members = options.ha ? 3 : 1;
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => {});
  };
  try {
    const adminCpIp = network.addressFor(`node/${adminControlPlaneNodeName}`);
    const userEtcdIps = Array.from({ length: members }, (_, ordinal) =>
      network.addressFor(`${namespace}/kube-etcd-${ordinal}`),
    );
    userEtcdIps.forEach((ip, ordinal) => {
      // Peers must resolve each other before their pods first start, and while one is being replaced.
      network.setHostsEntry({
        key: `static:${namespace}/kube-etcd-${ordinal}`,
        ip,
        names: [`kube-etcd-${ordinal}.kube-etcd`, `kube-etcd-${ordinal}.kube-etcd.${namespace}.svc`],
      });
    });

    log('issuing certificates');
    const pkiDir = join(dir, 'pki');
    const pki = await createPki({
      directory: pkiDir,
      ...kubeceptionPkiPlan({ adminCpIp, userClusterName: namespace, userEtcdIps }),
    });
    const pem = (name: string, kind: 'crt' | 'key') => readFile(pkiFile(pki, name, kind), 'utf8');

    log(`starting node ${adminControlPlaneNodeName}${options.jumpHost ? ' behind a jump host' : ''}`);
    const labNodes = await startLabNodes({
      state: host.state,
      network,
      pki,
      nodes: [{ name: adminControlPlaneNodeName, cluster: adminPkiCluster }],
      jumpHost: options.jumpHost,
    });
    stops.push(() => labNodes.stop());
    const admin = await buildAdminCluster({
      dir,
      node: labNodes.nodes[0]!,
      pki,
      runtime: host.runtime,
      gateway: network.gateway,
      // Admin nodes that host a user cluster's control plane carry its name, which the runbook's utility
      // pod selects on.
      workerLabels: { 'kubernetes.googleapis.com/cluster-name': namespace },
      log,
    });
    stops.push(() => admin.stop());
    const adminApi = admin.api;
    const runtime = admin.runtime;
    const adminNodes = [adminControlPlaneNodeName, ...admin.workerNodes];

    log(`creating the user cluster ${namespace} (${members} etcd member${members > 1 ? 's' : ''})`);
    const secretName = `kube-etcd-certs-${randomUUID().slice(0, 6)}`;
    const base64 = async (name: string, kind: 'crt' | 'key') =>
      Buffer.from(await pem(name, kind)).toString('base64');
    await storeObjects({
      store: adminApi.store,
      objects: kubeceptionManifests({
        userClusterName: namespace,
        ha: options.ha,
        etcdCertsSecretName: secretName,
        etcdCerts: {
          'etcdCA.crt': await base64('user/etcd/ca', 'crt'),
          'etcd.crt': await base64('user/etcd/etcd', 'crt'),
          'etcd.key': await base64('user/etcd/etcd', 'key'),
        },
        adminNodeNames: adminNodes.slice(1),
      }),
    });
    const expectedPods = 2 * members + 1;
    await waitFor(`every pod in namespace ${namespace} to be Ready`, 90_000, async () => {
      const { items } = await adminApi.store.list({ type: podType, namespace });
      return items.filter(isPodReady).length >= expectedPods;
    });

    log('starting the user API server');
    const userApi = await createApiServer({
      etcd: {
        endpoints: userEtcdIps.map((ip) => `https://${ip}:2379`),
        tls: {
          ca: await pem('user/etcd/ca', 'crt'),
          cert: await pem('user/apiserver-etcd-client', 'crt'),
          key: await pem('user/apiserver-etcd-client', 'key'),
        },
      },
      tls: {
        cert: await pem('user/apiserver', 'crt'),
        key: await pem('user/apiserver', 'key'),
        clientCa: await pem('user/ca', 'crt'),
      },
      onControllerError: (error) => log(`user controller: ${(error as Error).message}`),
    });
    stops.push(() => userApi.close());
    const gateLoop = gateOnReadiness({
      api: userApi,
      isReady: async () => {
        const statefulSet = await adminApi.store.get({
          type: statefulSetType,
          namespace,
          name: 'kube-apiserver',
        });
        return ((statefulSet.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0) > 0;
      },
      downReason: 'kube-apiserver has no Ready replica',
      log,
    });
    stops.push(async () => gateLoop.stop());
    await storeObjects({
      store: userApi.store,
      objects: userClusterObjects({ userClusterName: namespace, controlplaneV2: false }),
    });
    await storeObjects({
      store: userApi.store,
      objects: [1, 2, 3].map((index) =>
        readyNode({ name: `${namespace}-node-${index}`, ip: network.gateway }),
      ),
    });
    await waitFor('the user cluster API to open', 10_000, async () => userApi.isListening());

    log('writing kubeconfigs and etcd-dr.yaml');
    const files = {
      ...(await writeLabKubeconfigs({
        dir,
        pki,
        admin: { server: adminApi.url, pkiCluster: adminPkiCluster },
        user: { name: namespace, server: userApi.url, pkiCluster: 'user' },
      })),
      config: join(dir, 'etcd-dr.yaml'),
      sshConfig: labNodes.sshConfigPath,
    };
    await writeClusterConfig({
      dir,
      adminNode: admin.node,
      userCluster: { name: namespace, topology: 'kubeception' },
      ...(labNodes.jump ? { jumpHost: labNodes.jump } : {}),
    });

    return {
      files,
      status: () => kubeceptionStatus({ admin, namespace, userApi, behindJumpHost: options.jumpHost }),
      breakMembers: async ({ members: broken }) => {
        for (const member of broken) {
          if (member >= members) {
            throw new SandboxError({
              code: 'SANDBOX_POD_INVALID',
              message: `member ${member} does not exist: this lab's user etcd has ${members} member${members > 1 ? 's' : ''} (0${members > 1 ? `..${members - 1}` : ''})`,
              remedy: 'name existing members, e.g. --members 0',
            });
          }
        }
        for (const member of broken) {
          await corruptMemberData({
            dataDir: join(dir, 'admin-data', 'pvc', namespace, `data-kube-etcd-${member}`),
          });
          const pod = await adminApi.store.get({ type: podType, namespace, name: `kube-etcd-${member}` });
          // The process still holds the old database in memory; a disk failure is noticed at the next start.
          await killContainerProcesses({ runtime, uid: pod.metadata!.uid!, container: 'kube-etcd' });
        }
        log(`broke members ${broken.join(', ')}`);
        return { broken };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function kubeceptionStatus(options: {
  admin: AdminCluster;
  namespace: string;
  userApi: ApiServer;
  behindJumpHost: boolean;
}): Promise<{ lines: string[] }> {
  const lines = [
    `user cluster API: ${options.userApi.isListening() ? `up on 127.0.0.1:${options.userApi.port}` : 'down'}`,
    ...nodeStatusLines({
      nodes: [
        {
          name: options.admin.node.name,
          ip: options.admin.node.ip,
          role: 'admin control plane',
          behindJumpHost: options.behindJumpHost,
          pods: options.admin.agent.pods(),
        },
      ],
    }),
  ];
  for (const namespace of ['kube-system', options.namespace]) {
    const { items } = await options.admin.api.store.list({ type: podType, namespace });
    for (const pod of items) {
      const status = (pod.status ?? {}) as {
        phase?: string;
        containerStatuses?: Array<{ restartCount?: number; state?: Record<string, { reason?: string }> }>;
      };
      const container = status.containerStatuses?.[0];
      const waiting = container?.state?.waiting?.reason;
      lines.push(
        `${namespace}/${pod.metadata!.name}: ${waiting ?? status.phase ?? 'Pending'}${isPodReady(pod) ? ', Ready' : ''}, restarts ${container?.restartCount ?? 0}`,
      );
    }
  }
  return { lines };
}
