import type { V1StatefulSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { kubeceptionMembers } from './kubeception-members.js';

function statefulSet(options: { command?: string[]; replicas: number }): V1StatefulSet {
  return {
    spec: {
      replicas: options.replicas,
      serviceName: 'kube-etcd',
      selector: {},
      template: {
        spec: {
          containers: [{ name: 'kube-etcd', ...(options.command ? { command: options.command } : {}) }],
        },
      },
    },
  };
}

describe('kubeceptionMembers', () => {
  it('reads names and peer URLs from --initial-cluster and nodes from the pods', () => {
    const members = kubeceptionMembers({
      statefulSet: statefulSet({
        replicas: 2,
        command: [
          '/bin/sh',
          '-c',
          'exec etcd --name="$(hostname)" --initial-cluster=kube-etcd-0=https://kube-etcd-0.kube-etcd:2380,kube-etcd-1=https://kube-etcd-1.kube-etcd:2380 --initial-cluster-token=etcd-cluster-1',
        ],
      }),
      pods: [{ metadata: { name: 'kube-etcd-1' }, spec: { nodeName: 'node-b', containers: [] } }],
    });
    expect(members).toEqual([
      { name: 'kube-etcd-0', peerUrl: 'https://kube-etcd-0.kube-etcd:2380' },
      { name: 'kube-etcd-1', peerUrl: 'https://kube-etcd-1.kube-etcd:2380', node: 'node-b' },
    ]);
  });

  it('derives one member per replica from the service name when the command does not spell them out', () => {
    const members = kubeceptionMembers({ statefulSet: statefulSet({ replicas: 3 }), pods: [] });
    expect(members.map((member) => member.peerUrl)).toEqual([
      'https://kube-etcd-0.kube-etcd:2380',
      'https://kube-etcd-1.kube-etcd:2380',
      'https://kube-etcd-2.kube-etcd:2380',
    ]);
  });
});
