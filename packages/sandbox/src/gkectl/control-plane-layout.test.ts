import { describe, expect, it } from 'vitest';
import { controlplaneV2Layout, etcdProbeSeparator, kubeceptionLayout } from './control-plane-layout.js';

describe('control plane layouts', () => {
  it('Kubeception: kube-etcd-N and kube-apiserver-N in namespace USER of the admin cluster, with the runbook certs', () => {
    const layout = kubeceptionLayout({
      clusterName: 'user-cluster-1',
      etcdReplicas: 3,
      apiserverReplicas: 1,
    });
    expect([layout.api, layout.namespace, layout.expectedPods]).toEqual([
      'admin',
      'user-cluster-1',
      ['kube-etcd-0', 'kube-etcd-1', 'kube-etcd-2', 'kube-apiserver-0'],
    ]);
    expect(layout.etcdMembers.map((member) => [member.pod, member.container])).toEqual([
      ['kube-etcd-0', 'kube-etcd'],
      ['kube-etcd-1', 'kube-etcd'],
      ['kube-etcd-2', 'kube-etcd'],
    ]);
    const script = layout.etcdMembers[0]!.command[2]!;
    expect(script).toContain('--cacert=/etcd.local.config/certificates/etcdCA.crt');
    expect(script).toContain('--key=/etcd.local.config/certificates/etcd.key');
    expect(script.indexOf('endpoint health -w json')).toBeLessThan(script.indexOf(etcdProbeSeparator));
    expect(script.indexOf(etcdProbeSeparator)).toBeLessThan(script.indexOf('endpoint status -w json'));
  });

  it('Controlplane V2: static pods etcd-NODE and kube-apiserver-NODE in the user cluster, kubeadm certs', () => {
    const layout = controlplaneV2Layout({ nodeNames: ['user-cluster-1-cp1'] });
    expect([layout.api, layout.namespace, layout.expectedPods]).toEqual([
      'user',
      'kube-system',
      ['etcd-user-cluster-1-cp1', 'kube-apiserver-user-cluster-1-cp1'],
    ]);
    expect(layout.etcdMembers[0]!.container).toBe('etcd');
    expect(layout.etcdMembers[0]!.command[2]).toContain(
      '--cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt',
    );
  });
});
