import { describe, expect, it } from 'vitest';
import { BackupError } from './backup-error.js';
import { completeControlplaneV2Members } from './complete-controlplane-v2-members.js';

const manifest = (name: string, ip: string) => `apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: kube-system
spec:
  containers:
    - name: etcd
      command:
        - etcd
        - --advertise-client-urls=https://${ip}:2379
        - --initial-advertise-peer-urls=https://${ip}:2380
        - --name=${name}
`;

describe('completeControlplaneV2Members', () => {
  it('keeps the members the pods named and reads the others from their etcd manifest, in node order', () => {
    const members = completeControlplaneV2Members({
      members: [{ name: 'cp2', peerUrl: 'https://10.0.0.12:2380', node: 'cp2' }],
      nodes: ['cp1', 'cp2'],
      manifests: new Map([
        ['cp1', manifest('cp1', '10.0.0.11')],
        ['cp2', manifest('ignored', '10.9.9.9')],
      ]),
    });
    expect(members).toEqual([
      { name: 'cp1', peerUrl: 'https://10.0.0.11:2380', clientUrl: 'https://10.0.0.11:2379', node: 'cp1' },
      { name: 'cp2', peerUrl: 'https://10.0.0.12:2380', node: 'cp2' },
    ]);
  });

  it('refuses with BACKUP_OBJECT_NOT_FOUND naming the node when neither pod nor manifest names its member', () => {
    let caught: unknown;
    try {
      completeControlplaneV2Members({
        members: [],
        nodes: ['cp3'],
        manifests: new Map([['cp3', 'apiVersion: v1\nkind: Pod\nspec:\n  containers: []\n']]),
      });
    } catch (error) {
      caught = error;
    }
    expect(BackupError.isInstance(caught)).toBe(true);
    expect((caught as BackupError).code).toBe('BACKUP_OBJECT_NOT_FOUND');
    expect((caught as BackupError).object).toBe('node cp3 file /etc/kubernetes/manifests/etcd.yaml');
  });
});
