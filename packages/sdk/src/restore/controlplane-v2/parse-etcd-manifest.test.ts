import { describe, expect, it } from 'vitest';
import { parseEtcdManifest } from './parse-etcd-manifest.js';
import { setInitialClusterState } from './set-initial-cluster-state.js';

const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: kube-system
spec:
  containers:
  - command:
    - etcd
    - --advertise-client-urls=https://10.0.0.5:2379
    - --data-dir
    - /var/lib/etcd/
    - --initial-advertise-peer-urls=https://10.0.0.5:2380
    - --initial-cluster=cp-1=https://10.0.0.5:2380,cp-2=https://10.0.0.6:2380
    - --initial-cluster-state=existing
    - --name=cp-1
    image: gcr.io/gke-on-prem-release/etcd:v3.4.27-0-gke.1
    name: etcd
    volumeMounts:
    - mountPath: /var/lib/etcd
      name: etcd-data
    - mountPath: /etc/kubernetes/pki/etcd
      name: etcd-certs
  volumes:
  - hostPath:
      path: /etc/kubernetes/pki/etcd
    name: etcd-certs
  - hostPath:
      path: /opt/data/var/lib/etcd
    name: etcd-data
`;

describe('parseEtcdManifest', () => {
  it('reads the member, the cluster and the host path behind --data-dir', () => {
    expect(parseEtcdManifest({ text: manifest })).toEqual({
      memberName: 'cp-1',
      peerUrl: 'https://10.0.0.5:2380',
      clientUrl: 'https://10.0.0.5:2379',
      initialCluster: [
        { name: 'cp-1', peerUrl: 'https://10.0.0.5:2380' },
        { name: 'cp-2', peerUrl: 'https://10.0.0.6:2380' },
      ],
      initialClusterToken: undefined,
      initialClusterState: 'existing',
      dataDir: '/var/lib/etcd',
      dataHostPath: '/opt/data/var/lib/etcd',
      image: 'gcr.io/gke-on-prem-release/etcd:v3.4.27-0-gke.1',
    });
  });

  it('names what is missing', () => {
    expect(() => parseEtcdManifest({ text: manifest.replace('    - --name=cp-1\n', '') })).toThrow(
      'the etcd container has no --name',
    );
    expect(() => parseEtcdManifest({ text: manifest.replace('name: etcd-data\n', 'name: other\n') })).toThrow(
      'no hostPath volume is mounted at the data dir /var/lib/etcd',
    );
    expect(() => parseEtcdManifest({ text: 'kind: Pod\n' })).toThrow('it has no container named etcd');
  });
});

describe('setInitialClusterState', () => {
  it('replaces an existing value and keeps everything else', () => {
    const edited = setInitialClusterState({ text: manifest, state: 'new' });
    expect(parseEtcdManifest({ text: edited }).initialClusterState).toBe('new');
    expect(edited.match(/initial-cluster-state/g)).toHaveLength(1);
    expect(edited.replace('--initial-cluster-state=new', '--initial-cluster-state=existing')).toBe(manifest);
  });

  it('inserts the flag right after etcd when absent, and a second edit changes nothing', () => {
    const without = manifest.replace('    - --initial-cluster-state=existing\n', '');
    const edited = setInitialClusterState({ text: without, state: 'new' });
    expect(edited).toBe(without.replace('    - etcd\n', '    - etcd\n    - --initial-cluster-state=new\n'));
    expect(setInitialClusterState({ text: edited, state: 'new' })).toBe(edited);
  });

  it('replaces the flag given as two words', () => {
    const split = manifest.replace(
      '--initial-cluster-state=existing',
      '--initial-cluster-state\n    - existing',
    );
    const edited = setInitialClusterState({ text: split, state: 'new' });
    expect(edited).not.toContain('existing');
    expect(parseEtcdManifest({ text: edited }).initialClusterState).toBe('new');
  });
});

describe('setInitialClusterState on a flow sequence', () => {
  it('edits the command list', () => {
    const flow = manifest.replace(/ {2}- command:\n(?: {4}- .*\n)+/, (block) => {
      const words = block
        .split('\n')
        .slice(1, -1)
        .map((line) => line.replace(/^ {4}- /, ''));
      return `  - command: [${words.join(', ')}]\n`;
    });
    expect(flow).toContain('command: [etcd, ');
    const edited = setInitialClusterState({ text: flow, state: 'new' });
    expect(parseEtcdManifest({ text: edited })).toMatchObject({
      initialClusterState: 'new',
      memberName: 'cp-1',
    });
  });
});
