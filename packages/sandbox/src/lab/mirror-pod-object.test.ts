import { describe, expect, it } from 'vitest';
import { renderEtcdManifest } from '../runtime/node/render-etcd-manifest.js';
import { staticPodFromManifest } from '../runtime/node/static-pod-from-manifest.js';
import { mirrorPodObject } from './mirror-pod-object.js';

describe('mirrorPodObject', () => {
  const node = { name: 'user1-cp1', ip: '10.0.0.5', netns: 'ns', root: '/nodes/user1-cp1/root' };
  const text = renderEtcdManifest({
    nodeName: node.name,
    nodeIp: node.ip,
    initialCluster: [{ name: node.name, ip: node.ip }],
  });
  const pod = staticPodFromManifest({ text, fileName: 'etcd.yaml', node });
  const mirror = mirrorPodObject({
    file: 'etcd.yaml',
    name: pod.name,
    namespace: pod.namespace,
    uid: pod.uid,
    node: node.name,
    labels: pod.manifest.metadata.labels ?? {},
    annotations: pod.manifest.metadata.annotations ?? {},
    manifest: pod.manifest,
    status: undefined,
  });

  it('is named NAME-NODE in the manifest namespace with its labels and the kubelet annotations', () => {
    expect(mirror.metadata).toMatchObject({
      name: 'etcd-user1-cp1',
      namespace: 'kube-system',
      labels: { component: 'etcd', tier: 'control-plane' },
      annotations: {
        'kubernetes.io/config.mirror': pod.uid,
        'kubernetes.io/config.source': 'file',
        'kubeadm.kubernetes.io/etcd.advertise-client-urls': 'https://10.0.0.5:2379',
      },
    });
  });

  it('is bound to the node with the manifest container, command and host paths (node paths, not host ones)', () => {
    const spec = mirror.spec as {
      nodeName: string;
      hostNetwork: boolean;
      containers: Array<{ name: string; command: string[] }>;
      volumes: Array<{ name: string; hostPath: { path: string } }>;
    };
    expect(spec.nodeName).toBe('user1-cp1');
    expect(spec.hostNetwork).toBe(true);
    expect(spec.containers.map((container) => container.name)).toEqual(['etcd']);
    expect(spec.containers[0]!.command).toContain('--name=user1-cp1');
    expect(spec.volumes.map((volume) => volume.hostPath.path).sort()).toEqual([
      '/etc/kubernetes/pki/etcd',
      '/opt/data/var/lib/etcd',
    ]);
  });
});
