import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabState } from '../../lab-state.js';
import { LabNetwork } from '../../network/lab-network.js';
import { createPki, type Pki } from '../../pki/create-pki.js';
import { teardown } from '../../teardown.js';
import { type LabNode, startNode } from '../start-node.js';
import { type ClientResult, clientOptions, runClient } from './ssh-client.js';

/** The etcd leaf certificates a test node can get under /etc/kubernetes/pki/etcd. */
export type TestNodeLeaf = 'server' | 'peer' | 'healthcheck-client';

/** Options of {@link startTestNode}. */
export interface StartTestNodeOptions {
  /** Temp folder prefix, e.g. `edr-node-`. */
  prefix: string;
  /** Leaves to issue from the etcd CA. */
  leaves: TestNodeLeaf[];
  /** Also the cluster CA (`ca.crt`, `ca.key`) and `etcd/ca.key`, as a kubeadm control-plane node has them. Default false. */
  withCaKeys?: boolean;
}

/** One real node (sshd + sudo) in its own lab folder, and the pieces tests look at. */
export interface TestNode {
  dir: string;
  state: LabState;
  network: LabNetwork;
  pki: Pki;
  node: LabNode;
  /** A known_hosts file pinning the node's host key. */
  knownHosts: string;
  /** Runs `command` on the node with the real ssh client as ubuntu. */
  ssh(command: string, input?: string): Promise<ClientResult>;
  /** Stops the node and the network, tears the lab down and removes the folder. */
  close(): Promise<void>;
}

const leafSpecs: Record<TestNodeLeaf, (ip: string) => Parameters<typeof createPki>[0]['leaves'][number]> = {
  server: (ip) => ({
    name: 'server',
    authority: 'etcd-ca',
    commonName: 'cp1',
    dnsNames: ['cp1', 'localhost'],
    ipAddresses: [ip, '127.0.0.1'],
    usage: 'peer',
  }),
  peer: (ip) => ({
    name: 'peer',
    authority: 'etcd-ca',
    commonName: 'cp1',
    dnsNames: ['cp1'],
    ipAddresses: [ip],
    usage: 'peer',
  }),
  'healthcheck-client': () => ({
    name: 'healthcheck-client',
    authority: 'etcd-ca',
    commonName: 'kube-etcd-healthcheck-client',
    usage: 'client',
  }),
};

/**
 * Starts node `cp1` in a fresh lab folder with the etcd PKI a test asks for (test helper shared by the node
 * e2e tests). `close` is safe to call after a failed start.
 */
export async function startTestNode(options: StartTestNodeOptions): Promise<TestNode> {
  const dir = await mkdtemp(join(tmpdir(), options.prefix));
  const state = await LabState.create({ dir });
  const network = await LabNetwork.create({ state });
  let node: LabNode | undefined;
  const close = async () => {
    try {
      await node?.stop();
      await network.close();
    } finally {
      await teardown({ dir });
      await rm(dir, { recursive: true, force: true });
    }
  };
  try {
    const ip = network.addressFor('node/cp1');
    const pki = await createPki({
      directory: join(dir, 'pki'),
      authorities: {
        ...(options.withCaKeys ? { ca: { commonName: 'kubernetes' } } : {}),
        'etcd-ca': { commonName: 'etcd-ca' },
      },
      leaves: options.leaves.map((leaf) => leafSpecs[leaf](ip)),
    });
    const files: Record<string, string> = { 'etcd/ca.crt': pki.authorities['etcd-ca']!.certificatePath };
    if (options.withCaKeys) {
      files['ca.crt'] = pki.authorities.ca!.certificatePath;
      files['ca.key'] = pki.authorities.ca!.keyPath;
      files['etcd/ca.key'] = pki.authorities['etcd-ca']!.keyPath;
    }
    for (const leaf of options.leaves) {
      files[`etcd/${leaf}.crt`] = pki.leaves[leaf]!.certificatePath;
      files[`etcd/${leaf}.key`] = pki.leaves[leaf]!.keyPath;
    }
    const started = await startNode({ state, network, name: 'cp1', pki: files });
    node = started;
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `${started.ip} ${started.hostPublicKey}\n`);
    const ssh = (command: string, input?: string) =>
      runClient({
        program: 'ssh',
        args: [
          ...clientOptions({ identity: started.privateKeyPath, knownHosts }),
          `ubuntu@${started.ip}`,
          command,
        ],
        ...(input === undefined ? {} : { input }),
      });
    return { dir, state, network, pki, node: started, knownHosts, ssh, close };
  } catch (error) {
    await close();
    throw error;
  }
}
