import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ApiServer, createApiServer } from '../apiserver/create-api-server.js';
import { NodeAgent } from '../runtime/node/node-agent.js';
import { renderEtcdManifest } from '../runtime/node/render-etcd-manifest.js';
import type { LabNode } from '../runtime/node/start-node.js';
import type { Pki } from '../runtime/pki/create-pki.js';
import type { BwrapPodRuntime } from '../runtime/pod/bwrap-pod-runtime.js';
import { AliasingPodRuntime } from './aliasing-pod-runtime.js';
import { labImages } from './lab-versions.js';
import { type MirrorPodSync, startMirrorPodSync } from './mirror-pod-sync.js';
import { pkiFile } from './pki-file.js';
import { readyNode, storeObjects } from './store-objects.js';
import { waitFor } from './wait-for.js';

/** Name of the admin cluster's control-plane node. */
export const adminControlPlaneNodeName = 'admin-cp';
/** PKI prefix of the admin cluster's certificates (see `kubeadmPkiPlan`). */
export const adminPkiCluster = 'admin-cp';

/** Options of {@link buildAdminCluster}. */
export interface BuildAdminClusterOptions {
  /** The lab folder (admin pod volumes live under `DIR/admin-data`). */
  dir: string;
  /** The started node `admin-cp`, with the admin kubeadm PKI under /etc/kubernetes/pki. */
  node: LabNode;
  pki: Pki;
  runtime: BwrapPodRuntime;
  /** Gateway address of the lab bridge (worker nodes' InternalIP). */
  gateway: string;
  /** Labels of the admin worker nodes `admin-node-1..3`. Default none. */
  workerLabels?: Record<string, string>;
  log: (line: string) => void;
}

/** A running admin cluster. */
export interface AdminCluster {
  api: ApiServer;
  /** The runtime the admin API execs through (mirror pods alias static pods). */
  runtime: AliasingPodRuntime;
  node: LabNode;
  agent: NodeAgent;
  mirrors: MirrorPodSync;
  /** The worker nodes that run the admin cluster's ordinary pods. */
  workerNodes: string[];
  /** Stops the API server, the mirror sync and the node's static pods (the node itself stays up). */
  stop(): Promise<void>;
}

/**
 * The admin cluster both topologies share: etcd as the kubeadm static pod `etcd.yaml` on node `admin-cp`
 * (host network on the node's address, data in `/opt/data/var/lib/etcd`, certificates from the node's
 * /etc/kubernetes/pki/etcd) run by the node's kubelet (a NodeAgent), the simulated admin API server over
 * it with the kubelet glue for `admin-node-1..3`, namespaces, Node objects, and the mirror pod
 * `kube-system/etcd-admin-cp` (labels `component=etcd,tier=control-plane`, exec-able through the API).
 */
export async function buildAdminCluster(options: BuildAdminClusterOptions): Promise<AdminCluster> {
  const { node, pki, log } = options;
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => {});
  };
  try {
    log(`starting etcd on ${node.name}`);
    const runtime = new AliasingPodRuntime(options.runtime);
    await writeFile(
      join(node.root, 'etc/kubernetes/manifests/etcd.yaml'),
      renderEtcdManifest({
        nodeName: node.name,
        nodeIp: node.ip,
        initialCluster: [{ name: node.name, ip: node.ip }],
        image: labImages.etcd,
      }),
      { mode: 0o600 },
    );
    const agent = await NodeAgent.start({
      node,
      runtime,
      onError: (error) => log(`kubelet ${node.name}: ${error.message}`),
    });
    stops.push(() => agent.stop());
    const pem = (name: string, kind: 'crt' | 'key') => readFile(pkiFile(pki, name, kind), 'utf8');
    await waitFor(`etcd on ${node.name} to be Ready`, 30_000, async () =>
      agent.pods().some((pod) => pod.status?.containers[0]?.ready === true),
    );

    log('starting the admin API server');
    const workerNodes = [1, 2, 3].map((index) => `admin-node-${index}`);
    const api = await createApiServer({
      etcd: {
        endpoints: [`https://${node.ip}:2379`],
        tls: {
          ca: await pem(`${adminPkiCluster}/etcd/ca`, 'crt'),
          cert: await pem(`${adminPkiCluster}/apiserver-etcd-client`, 'crt'),
          key: await pem(`${adminPkiCluster}/apiserver-etcd-client`, 'key'),
        },
      },
      tls: {
        cert: await pem(`${adminPkiCluster}/apiserver`, 'crt'),
        key: await pem(`${adminPkiCluster}/apiserver`, 'key'),
        clientCa: await pem(`${adminPkiCluster}/ca`, 'crt'),
      },
      runtime,
      kubelet: { nodes: workerNodes, dataDir: join(options.dir, 'admin-data') },
      onControllerError: (error) => log(`admin controller: ${(error as Error).message}`),
    });
    stops.push(() => api.close());
    await storeObjects({
      store: api.store,
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
        readyNode({
          name: node.name,
          ip: node.ip,
          labels: { 'node-role.kubernetes.io/control-plane': '' },
          taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
        }),
        ...workerNodes.map((name) =>
          readyNode({
            name,
            ip: options.gateway,
            ...(options.workerLabels ? { labels: options.workerLabels } : {}),
          }),
        ),
      ],
    });
    const mirrors = startMirrorPodSync({
      store: api.store,
      runtime,
      agents: [agent],
      log: (line) => log(`admin ${line}`),
    });
    stops.push(async () => mirrors.stop());
    await mirrors.sync();
    return { api, runtime, node, agent, mirrors, workerNodes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
