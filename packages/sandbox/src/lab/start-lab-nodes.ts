import type { LabState } from '../runtime/lab-state.js';
import type { LabNetwork } from '../runtime/network/lab-network.js';
import { writeSshConfig } from '../runtime/node/render-ssh-config.js';
import { type LabNode, startNode } from '../runtime/node/start-node.js';
import type { Pki } from '../runtime/pki/create-pki.js';
import { kubeadmNodePki } from './kubeadm-pki-plan.js';
import { pkiFile } from './pki-file.js';

/** Name of the lab's jump host node. */
export const jumpHostName = 'jump-host';

/** Options of {@link startLabNodes}. */
export interface StartLabNodesOptions {
  state: LabState;
  network: LabNetwork;
  pki: Pki;
  /** Control-plane nodes: name and the PKI cluster prefix whose kubeadm certificates it carries. */
  nodes: Array<{ name: string; cluster: string }>;
  /** Also start node {@link jumpHostName} and let the other nodes accept logins only from it. */
  jumpHost: boolean;
}

/** The lab's machines, and where their client files are. */
export interface LabNodes {
  nodes: LabNode[];
  jump: LabNode | undefined;
  sshConfigPath: string;
  knownHostsPath: string;
  /** Stops every node (their files stay until teardown). */
  stop(): Promise<void>;
}

/**
 * Starts every control-plane node (with its kubeadm PKI under /etc/kubernetes/pki) and the optional jump
 * host in parallel, then writes `DIR/ssh_config` and `DIR/known_hosts`. On failure the nodes that did
 * start are stopped before the error is thrown.
 */
export async function startLabNodes(options: StartLabNodesOptions): Promise<LabNodes> {
  const { state, network, pki } = options;
  const jumpIp = options.jumpHost ? network.addressFor(`node/${jumpHostName}`) : undefined;
  const started: LabNode[] = [];
  const stop = async () => {
    await Promise.all(started.map((node) => node.stop().catch(() => {})));
  };
  const track = async (node: Promise<LabNode>) => {
    const value = await node;
    started.push(value);
    return value;
  };
  const results = await Promise.allSettled([
    ...options.nodes.map((node) =>
      track(
        startNode({
          state,
          network,
          name: node.name,
          pki: Object.fromEntries(
            Object.entries(kubeadmNodePki({ cluster: node.cluster, node: node.name })).map(
              ([path, source]) => [path, pkiFile(pki, source.name, source.kind)],
            ),
          ),
          ...(jumpIp ? { allowSshFrom: [jumpIp] } : {}),
        }),
      ),
    ),
    ...(options.jumpHost ? [track(startNode({ state, network, name: jumpHostName, role: 'jump' }))] : []),
  ]);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }
  const nodes = options.nodes.map((wanted) => started.find((node) => node.name === wanted.name)!);
  const jump = started.find((node) => node.role === 'jump');
  const { sshConfigPath, knownHostsPath } = await writeSshConfig({
    state,
    nodes: [...(jump ? [jump] : []), ...nodes],
    ...(jump ? { jumpHost: jump.name } : {}),
  });
  return { nodes, jump, sshConfigPath, knownHostsPath, stop };
}
