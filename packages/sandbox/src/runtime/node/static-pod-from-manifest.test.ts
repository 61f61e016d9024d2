import { describe, expect, it } from 'vitest';
import { renderEtcdManifest } from './render-etcd-manifest.js';
import { renderKubeApiserverManifest } from './render-kube-apiserver-manifest.js';
import { staticPodFromManifest } from './static-pod-from-manifest.js';

const node = {
  name: 'user1-cp1',
  ip: '10.213.7.20',
  netns: 'edr1234-node-user1-cp1',
  root: '/lab/nodes/user1-cp1/root',
};
const members = [
  { name: 'user1-cp1', ip: '10.213.7.20' },
  { name: 'user1-cp2', ip: '10.213.7.21' },
];

describe('staticPodFromManifest', () => {
  it('runs the rendered etcd.yaml as the kubelet would: flags from the manifest, hostPaths in the node root, host network', () => {
    const text = renderEtcdManifest({ nodeName: node.name, nodeIp: node.ip, initialCluster: members });
    const pod = staticPodFromManifest({ text, fileName: 'etcd.yaml', node });
    expect(pod).toMatchObject({ name: 'etcd-user1-cp1', namespace: 'kube-system', gracePeriodSeconds: 30 });
    expect(pod.manifest.metadata.labels).toEqual({ component: 'etcd', tier: 'control-plane' });
    expect(pod.spec).toMatchObject({
      hostname: node.name,
      root: node.root,
      restartPolicy: 'Always',
      network: { kind: 'join', netns: node.netns, ip: node.ip },
      volumes: [
        { name: 'etcd-certs', hostPath: '/etc/kubernetes/pki/etcd' },
        { name: 'etcd-data', hostPath: '/opt/data/var/lib/etcd' },
      ],
    });
    const command = pod.spec.containers[0]!.command;
    expect(command[0]).toBe('etcd');
    expect(command).toEqual(
      expect.arrayContaining([
        '--name=user1-cp1',
        '--data-dir=/var/lib/etcd',
        '--initial-advertise-peer-urls=https://10.213.7.20:2380',
        '--initial-cluster=user1-cp1=https://10.213.7.20:2380,user1-cp2=https://10.213.7.21:2380',
        '--listen-client-urls=https://127.0.0.1:2379,https://10.213.7.20:2379',
        '--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
      ]),
    );
    expect(command.some((flag) => flag.startsWith('--initial-cluster-state'))).toBe(false);
    expect(pod.spec.containers[0]!.volumeMounts).toEqual([
      { name: 'etcd-data', mountPath: '/var/lib/etcd' },
      { name: 'etcd-certs', mountPath: '/etc/kubernetes/pki/etcd' },
    ]);
    expect(pod.create).toEqual([
      { path: '/etc/kubernetes/pki/etcd', kind: 'directory' },
      { path: '/opt/data/var/lib/etcd', kind: 'directory' },
    ]);
  });

  it('gives a changed manifest a new uid and takes a flag added by hand', () => {
    const text = renderEtcdManifest({ nodeName: node.name, nodeIp: node.ip, initialCluster: members });
    const edited = text.replace(
      /^(\s*)- --name=user1-cp1$/m,
      '$1- --name=user1-cp1\n$1- --initial-cluster-state=new',
    );
    const before = staticPodFromManifest({ text, fileName: 'etcd.yaml', node });
    const after = staticPodFromManifest({ text: edited, fileName: 'etcd.yaml', node });
    expect(after.uid).not.toBe(before.uid);
    expect(after.spec.containers[0]!.command).toContain('--initial-cluster-state=new');
    expect(staticPodFromManifest({ text, fileName: 'etcd.yaml', node }).uid).toBe(before.uid);
  });

  it('runs the kube-apiserver placeholder with the real flags as arguments and the PKI read-only', () => {
    const pod = staticPodFromManifest({
      text: renderKubeApiserverManifest({ nodeName: node.name, nodeIp: node.ip }),
      fileName: 'kube-apiserver.yaml',
      node,
    });
    expect(pod.name).toBe('kube-apiserver-user1-cp1');
    expect(pod.manifest.metadata.labels).toEqual({ component: 'kube-apiserver', tier: 'control-plane' });
    const container = pod.spec.containers[0]!;
    expect(container.command.slice(0, 4)).toEqual(['/bin/sh', '-c', 'exec sleep infinity', 'kube-apiserver']);
    expect(container.command).toContain('--etcd-servers=https://127.0.0.1:2379');
    expect(container.volumeMounts).toEqual([
      { name: 'k8s-certs', mountPath: '/etc/kubernetes/pki', readOnly: true },
    ]);
  });

  it('turns an httpGet readiness probe into a curl exec and keeps exec and tcpSocket probes', () => {
    const manifest = (probe: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  hostNetwork: true\n  containers:\n  - name: web\n    image: etcd-dr-lab/web\n    command: [sleep, infinity]\n    readinessProbe: ${probe}\n`;
    const probeOf = (probe: string) =>
      staticPodFromManifest({ text: manifest(probe), fileName: 'web.yaml', node }).spec.containers[0]!
        .readinessProbe;
    expect(probeOf('{httpGet: {port: 2381, path: /health}, periodSeconds: 3}')).toEqual({
      exec: {
        command: ['curl', '-fsS', '-o', '/dev/null', '--max-time', '2', 'http://10.213.7.20:2381/health'],
      },
      periodSeconds: 3,
    });
    expect(probeOf('{tcpSocket: {port: 6443}}')).toEqual({ tcpSocket: { port: 6443 } });
    expect(probeOf("{exec: {command: ['true']}}")).toEqual({ exec: { command: ['true'] } });
  });

  it('names the file, the node and the problem for a bad manifest', () => {
    expect(() => staticPodFromManifest({ text: 'kind: [', fileName: 'etcd.yaml', node })).toThrow(
      /static pod manifest etcd\.yaml on node user1-cp1 is invalid: not YAML/,
    );
    expect(() =>
      staticPodFromManifest({
        text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: []}\n',
        fileName: 'x.yaml',
        node,
      }),
    ).toThrow(/x\.yaml on node user1-cp1 is invalid: spec\.containers/);
    expect(() =>
      staticPodFromManifest({
        text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: c, image: i}]}\n',
        fileName: 'x.yaml',
        node,
      }),
    ).toThrow(/container c has no command/);
  });
});
