import { describe, expect, it } from 'vitest';
import { kubeadmNodePki, kubeadmPkiPlan } from './kubeadm-pki-plan.js';

describe('kubeadmPkiPlan', () => {
  const plan = kubeadmPkiPlan({
    cluster: 'user',
    commonNamePrefix: 'user1',
    nodes: [
      { name: 'user1-cp1', ip: '10.0.0.5' },
      { name: 'user1-cp2', ip: '10.0.0.6' },
    ],
  });

  it('gives every node its own etcd server and peer certificate for its name and address', () => {
    const server = plan.leaves.find((leaf) => leaf.name === 'user/user1-cp2/etcd/server');
    expect(server).toMatchObject({
      authority: 'user/etcd/ca',
      usage: 'peer',
      commonName: 'user1-cp2',
      dnsNames: ['user1-cp2', 'localhost'],
      ipAddresses: ['10.0.0.6', '127.0.0.1'],
    });
    expect(plan.leaves.filter((leaf) => leaf.name.endsWith('/etcd/peer'))).toHaveLength(2);
  });

  it('names the CAs after the cluster and signs every leaf with one of them', () => {
    expect(plan.authorities).toEqual({
      'user/etcd/ca': { commonName: 'user1-etcd-ca' },
      'user/ca': { commonName: 'user1-kubernetes' },
    });
    for (const leaf of plan.leaves) expect(Object.keys(plan.authorities)).toContain(leaf.authority);
    expect(plan.leaves.find((leaf) => leaf.name === 'user/apiserver')?.ipAddresses).toEqual([
      '127.0.0.1',
      '10.0.0.5',
      '10.0.0.6',
    ]);
  });

  it('places the node files where kubeadm does, every name existing in the plan', () => {
    const files = kubeadmNodePki({ cluster: 'user', node: 'user1-cp1' });
    expect(Object.keys(files).sort()).toEqual(
      [
        'apiserver-etcd-client.crt',
        'apiserver-etcd-client.key',
        'apiserver.crt',
        'apiserver.key',
        'ca.crt',
        'ca.key',
        'etcd/ca.crt',
        'etcd/ca.key',
        'etcd/healthcheck-client.crt',
        'etcd/healthcheck-client.key',
        'etcd/peer.crt',
        'etcd/peer.key',
        'etcd/server.crt',
        'etcd/server.key',
      ].sort(),
    );
    expect(files['etcd/server.key']).toEqual({ name: 'user/user1-cp1/etcd/server', kind: 'key' });
    const known = new Set([...Object.keys(plan.authorities), ...plan.leaves.map((leaf) => leaf.name)]);
    for (const source of Object.values(files)) expect(known).toContain(source.name);
  });
});
