import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabState } from '../lab-state.js';
import { LabNetwork } from '../network/lab-network.js';
import { createPki } from '../pki/create-pki.js';
import { BwrapPodRuntime } from '../pod/bwrap-pod-runtime.js';
import { teardown } from '../teardown.js';
import { NodeAgent } from './node-agent.js';
import { renderEtcdManifest } from './render-etcd-manifest.js';
import { writeSshConfig } from './render-ssh-config.js';
import { type LabNode, startNode } from './start-node.js';
import { runClient } from './testing/ssh-client.js';

const names = ['user1-cp1', 'user1-cp2', 'user1-cp3'];
let dir: string;
let network: LabNetwork;
let runtime: BwrapPodRuntime;
const nodes: LabNode[] = [];
const agents: NodeAgent[] = [];
let sshConfigPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edr-ha-'));
  const state = await LabState.create({ dir });
  network = await LabNetwork.create({ state });
  runtime = await BwrapPodRuntime.create({ state, network });
  const addresses = names.map((name) => network.addressFor(`node/${name}`));
  const pki = await createPki({
    directory: join(dir, 'pki'),
    authorities: { 'etcd-ca': { commonName: 'etcd-ca' } },
    leaves: names.flatMap((name, index) => [
      {
        name: `${name}/server`,
        authority: 'etcd-ca',
        commonName: name,
        dnsNames: [name, 'localhost'],
        ipAddresses: [addresses[index]!, '127.0.0.1'],
        usage: 'peer' as const,
      },
      {
        name: `${name}/peer`,
        authority: 'etcd-ca',
        commonName: name,
        dnsNames: [name],
        ipAddresses: [addresses[index]!],
        usage: 'peer' as const,
      },
    ]),
  });
  const started = await Promise.all(
    names.map((name) =>
      startNode({
        state,
        network,
        name,
        pki: {
          'etcd/ca.crt': pki.authorities['etcd-ca']!.certificatePath,
          'etcd/server.crt': pki.leaves[`${name}/server`]!.certificatePath,
          'etcd/server.key': pki.leaves[`${name}/server`]!.keyPath,
          'etcd/peer.crt': pki.leaves[`${name}/peer`]!.certificatePath,
          'etcd/peer.key': pki.leaves[`${name}/peer`]!.keyPath,
        },
      }),
    ),
  );
  nodes.push(...started);
  ({ sshConfigPath } = await writeSshConfig({ state, nodes }));
  for (const node of nodes) agents.push(await NodeAgent.start({ node, runtime }));
});

afterAll(async () => {
  try {
    await Promise.all(agents.map((agent) => agent.stop()));
    await runtime?.close();
    await Promise.all(nodes.map((node) => node.stop()));
    await network?.close();
  } finally {
    if (dir) {
      await teardown({ dir });
      await rm(dir, { recursive: true, force: true });
    }
  }
});

describe('an HA control plane of three nodes', () => {
  it('forms one etcd cluster from the rendered manifests, peers talking TLS across the node namespaces', async () => {
    const initialCluster = nodes.map((node) => ({ name: node.name, ip: node.ip }));
    await Promise.all(
      nodes.map((node) =>
        writeFile(
          join(node.root, 'etc/kubernetes/manifests/etcd.yaml'),
          renderEtcdManifest({ nodeName: node.name, nodeIp: node.ip, initialCluster }),
        ),
      ),
    );
    const etcdctl =
      'sudo -n etcdctl --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/server.crt ' +
      `--key=/etc/kubernetes/pki/etcd/server.key --endpoints=${nodes.map((node) => `https://${node.ip}:2379`).join(',')}`;
    const deadline = Date.now() + 60_000;
    let health = await runClient({
      program: 'ssh',
      args: ['-F', sshConfigPath, names[0]!, `${etcdctl} endpoint health`],
    });
    while (health.exitCode !== 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      health = await runClient({
        program: 'ssh',
        args: ['-F', sshConfigPath, names[0]!, `${etcdctl} endpoint health`],
      });
    }
    expect(health.exitCode).toBe(0);
    const members = await runClient({
      program: 'ssh',
      args: ['-F', sshConfigPath, names[2]!, `${etcdctl} member list -w simple`],
    });
    const lines = members.stdout.toString().trim().split('\n');
    expect(lines.map((line) => line.split(', ')[2]).sort()).toEqual(names);
    expect(lines.map((line) => line.split(', ')[3]).sort()).toEqual(
      nodes.map((node) => `https://${node.ip}:2380`).sort(),
    );
    expect(agents.map((agent) => agent.pods().map((pod) => pod.name))).toEqual(
      names.map((name) => [`etcd-${name}`]),
    );
  });
});
