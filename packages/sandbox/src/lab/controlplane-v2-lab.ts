import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createApiServer } from '../apiserver/create-api-server.js';
import { NodeAgent } from '../runtime/node/node-agent.js';
import { renderEtcdManifest } from '../runtime/node/render-etcd-manifest.js';
import { renderKubeApiserverManifest } from '../runtime/node/render-kube-apiserver-manifest.js';
import { createPki } from '../runtime/pki/create-pki.js';
import { SandboxError } from '../runtime/sandbox-error.js';
import { adminControlPlaneNodeName, adminPkiCluster, buildAdminCluster } from './admin-cluster.js';
import { AliasingPodRuntime } from './aliasing-pod-runtime.js';
import { corruptMemberData } from './corrupt-member-data.js';
import { gateOnReadiness } from './gate-on-readiness.js';
import { killContainerProcesses } from './kill-container-processes.js';
import { kubeadmPkiPlan } from './kubeadm-pki-plan.js';
import { userClusterObjects } from './kubeception-manifests.js';
import { labImages } from './lab-versions.js';
import { startMirrorPodSync } from './mirror-pod-sync.js';
import { nodeStatusLines } from './node-status-lines.js';
import { pkiFile } from './pki-file.js';
import type { SandboxOptions } from './sandbox-options.js';
import { startLabNodes } from './start-lab-nodes.js';
import { readyNode, storeObjects } from './store-objects.js';
import type { TopologyLab, TopologyLabHost } from './topology-lab.js';
import { waitFor } from './wait-for.js';
import { writeClusterConfig } from './write-cluster-config.js';
import { writeLabKubeconfigs } from './write-lab-kubeconfigs.js';

/** PKI prefix of the Controlplane V2 user cluster's certificates. */
const userPkiCluster = 'user';

/** Names of a Controlplane V2 user cluster's control-plane nodes: `USER-cp1` (non-HA) or `USER-cp1..3`. */
export function controlplaneV2NodeNames(options: { userClusterName: string; ha: boolean }): string[] {
  return Array.from(
    { length: options.ha ? 3 : 1 },
    (_, index) => `${options.userClusterName}-cp${index + 1}`,
  );
}

/**
 * Builds the Controlplane V2 shape: the shared admin cluster (node `admin-cp`) and the user cluster's
 * control-plane nodes `USER-cp1[..3]`, each a real node (sshd, sudo, kubeadm PKI) whose kubelet runs the
 * static pods `etcd` (one member per node, peers `https://NODE_IP:2380`) and `kube-apiserver`. The user
 * cluster's API server keeps its objects in those etcd members and is reachable only while a
 * kube-apiserver static pod is Ready; its kube-system shows the mirror pods `etcd-NODE` and
 * `kube-apiserver-NODE`. With `jumpHost`, every node accepts logins only through node `jump-host`.
 * Resolves when every static pod is Ready and the user API answers.
 */
export async function buildControlplaneV2Lab(
  options: SandboxOptions,
  host: TopologyLabHost,
): Promise<TopologyLab> {
  const { dir } = options;
  const { network, log } = host;
  const clusterName = options.userClusterName;
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => {});
  };
  try {
    const names = controlplaneV2NodeNames({ userClusterName: clusterName, ha: options.ha });
    const members = names.map((name) => ({ name, ip: network.addressFor(`node/${name}`) }));
    const adminCpIp = network.addressFor(`node/${adminControlPlaneNodeName}`);

    log('issuing certificates');
    const admin = kubeadmPkiPlan({
      cluster: adminPkiCluster,
      nodes: [{ name: adminControlPlaneNodeName, ip: adminCpIp }],
    });
    const user = kubeadmPkiPlan({ cluster: userPkiCluster, commonNamePrefix: clusterName, nodes: members });
    const pki = await createPki({
      directory: join(dir, 'pki'),
      authorities: { ...admin.authorities, ...user.authorities },
      leaves: [...admin.leaves, ...user.leaves],
    });
    const pem = (name: string, kind: 'crt' | 'key') => readFile(pkiFile(pki, name, kind), 'utf8');

    log(
      `starting nodes ${[adminControlPlaneNodeName, ...names].join(', ')}${options.jumpHost ? ' behind a jump host' : ''}`,
    );
    const labNodes = await startLabNodes({
      state: host.state,
      network,
      pki,
      nodes: [
        { name: adminControlPlaneNodeName, cluster: adminPkiCluster },
        ...names.map((name) => ({ name, cluster: userPkiCluster })),
      ],
      jumpHost: options.jumpHost,
    });
    stops.push(() => labNodes.stop());
    const [adminNode, ...userNodes] = labNodes.nodes;

    // The user control plane's static pods start while the admin cluster comes up.
    const userRuntime = new AliasingPodRuntime(host.runtime);
    await Promise.all(
      userNodes.map(async (node) => {
        const manifests = join(node.root, 'etc/kubernetes/manifests');
        await writeFile(
          join(manifests, 'etcd.yaml'),
          renderEtcdManifest({
            nodeName: node.name,
            nodeIp: node.ip,
            initialCluster: members,
            image: labImages.etcd,
          }),
          { mode: 0o600 },
        );
        await writeFile(
          join(manifests, 'kube-apiserver.yaml'),
          renderKubeApiserverManifest({
            nodeName: node.name,
            nodeIp: node.ip,
            image: labImages.kubeApiserver,
          }),
          { mode: 0o600 },
        );
      }),
    );
    const agents: NodeAgent[] = [];
    for (const node of userNodes) {
      const agent = await NodeAgent.start({
        node: node!,
        runtime: userRuntime,
        onError: (error) => log(`kubelet ${node!.name}: ${error.message}`),
      });
      agents.push(agent);
      stops.push(() => agent.stop());
    }

    const adminCluster = await buildAdminCluster({
      dir,
      node: adminNode!,
      pki,
      runtime: host.runtime,
      gateway: network.gateway,
      log,
    });
    stops.push(() => adminCluster.stop());

    log(`waiting for the static pods of ${names.join(', ')}`);
    await waitFor('every static pod of the user control plane to be Ready', 60_000, async () =>
      agents.every((agent) => {
        const pods = agent.pods();
        return pods.length === 2 && pods.every((pod) => pod.status?.containers[0]?.ready === true);
      }),
    );

    log('starting the user API server');
    const userApi = await createApiServer({
      etcd: {
        endpoints: members.map((member) => `https://${member.ip}:2379`),
        tls: {
          ca: await pem(`${userPkiCluster}/etcd/ca`, 'crt'),
          cert: await pem(`${userPkiCluster}/apiserver-etcd-client`, 'crt'),
          key: await pem(`${userPkiCluster}/apiserver-etcd-client`, 'key'),
        },
      },
      tls: {
        cert: await pem(`${userPkiCluster}/apiserver`, 'crt'),
        key: await pem(`${userPkiCluster}/apiserver`, 'key'),
        clientCa: await pem(`${userPkiCluster}/ca`, 'crt'),
      },
      runtime: userRuntime,
      onControllerError: (error) => log(`user controller: ${(error as Error).message}`),
    });
    stops.push(() => userApi.close());
    const gateLoop = gateOnReadiness({
      api: userApi,
      isReady: () =>
        agents.some((agent) =>
          agent
            .pods()
            .some(
              (pod) => pod.labels.component === 'kube-apiserver' && pod.status?.containers[0]?.ready === true,
            ),
        ),
      downReason: 'no kube-apiserver static pod is Ready',
      log,
      triggers: agents.map((agent) => (listener: () => void) => agent.onChange(listener)),
    });
    stops.push(async () => gateLoop.stop());

    await waitFor('the user cluster etcd to accept writes', 30_000, async () => {
      await storeObjects({
        store: userApi.store,
        objects: userClusterObjects({ userClusterName: clusterName, controlplaneV2: true }),
      });
      return true;
    });
    await storeObjects({
      store: userApi.store,
      objects: userNodes.map((node) =>
        readyNode({
          name: node!.name,
          ip: node!.ip,
          labels: { 'node-role.kubernetes.io/control-plane': '' },
          taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
        }),
      ),
    });
    const mirrors = startMirrorPodSync({
      store: userApi.store,
      runtime: userRuntime,
      agents,
      log: (line) => log(`user ${line}`),
    });
    stops.push(async () => mirrors.stop());
    await mirrors.sync();
    await waitFor('the user cluster API to open', 10_000, async () => userApi.isListening());

    log('writing kubeconfigs, ssh_config and etcd-dr.yaml');
    const files = {
      ...(await writeLabKubeconfigs({
        dir,
        pki,
        admin: { server: adminCluster.api.url, pkiCluster: adminPkiCluster },
        user: { name: clusterName, server: userApi.url, pkiCluster: userPkiCluster },
      })),
      config: join(dir, 'etcd-dr.yaml'),
      sshConfig: labNodes.sshConfigPath,
    };
    await writeClusterConfig({
      dir,
      adminNode: adminCluster.node,
      userCluster: {
        name: clusterName,
        topology: 'controlplane-v2',
        controlPlaneNodes: userNodes.map((node) => node!),
      },
      ...(labNodes.jump ? { jumpHost: labNodes.jump } : {}),
    });

    return {
      files,
      status: async () => ({
        lines: [
          `user cluster API: ${userApi.isListening() ? `up on 127.0.0.1:${userApi.port}` : 'down'}`,
          ...nodeStatusLines({
            nodes: [
              ...(labNodes.jump
                ? [
                    {
                      name: labNodes.jump.name,
                      ip: labNodes.jump.ip,
                      role: 'jump host',
                      behindJumpHost: false,
                      pods: [],
                    },
                  ]
                : []),
              {
                name: adminCluster.node.name,
                ip: adminCluster.node.ip,
                role: 'admin control plane',
                behindJumpHost: options.jumpHost,
                pods: adminCluster.agent.pods(),
              },
              ...userNodes.map((node, index) => ({
                name: node!.name,
                ip: node!.ip,
                role: `${clusterName} control plane`,
                behindJumpHost: options.jumpHost,
                pods: agents[index]!.pods(),
              })),
            ],
          }),
        ],
      }),
      breakMembers: async ({ members: broken }) => {
        for (const member of broken) {
          if (!Number.isInteger(member) || member < 0 || member >= userNodes.length) {
            throw new SandboxError({
              code: 'SANDBOX_POD_INVALID',
              message: `member ${member} does not exist: this lab's user etcd has ${userNodes.length} member${userNodes.length > 1 ? 's' : ''} (0${userNodes.length > 1 ? `..${userNodes.length - 1}` : ''}, nodes ${names.join(', ')})`,
              remedy: 'name existing members, e.g. --members 0',
            });
          }
        }
        for (const member of broken) {
          const node = userNodes[member]!;
          await corruptMemberData({ dataDir: join(node.root, 'opt/data/var/lib/etcd') });
          const etcd = agents[member]!.pods().find((pod) => pod.labels.component === 'etcd');
          // The process still holds the old database in memory; a disk failure is noticed at the next start.
          if (etcd) await killContainerProcesses({ runtime: userRuntime, uid: etcd.uid, container: 'etcd' });
        }
        log(`broke members ${broken.map((member) => names[member]).join(', ')}`);
        return { broken };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
