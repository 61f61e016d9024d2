import { describe, expect, it } from 'vitest';
import type { ClusterConfig, SshNode } from '../cluster/cluster-config.js';
import { planBackup, sshLine } from './plan-backup.js';

const node = (name: string, address: string): SshNode => ({
  name,
  address,
  port: 22,
  user: 'ubuntu',
  identityFile: `/keys/${name}`,
});

const config: ClusterConfig = {
  apiVersion: 'etcd-dr/v1',
  kind: 'ClusterConfig',
  adminCluster: { kubeconfig: '/k/admin.kubeconfig', controlPlaneNode: node('admin-cp', '10.0.0.2') },
  userCluster: {
    name: 'user-1',
    kubeconfig: '/k/user.kubeconfig',
    topology: 'auto',
    controlPlaneNodes: [node('user-1-cp1', '10.0.0.11'), node('user-1-cp2', '10.0.0.12')],
  },
  jumpHost: { ...node('jump', '192.0.2.1'), port: 2222 },
};

describe('planBackup', () => {
  it('Controlplane V2: checks every member, connects, snapshots, archives each node PKI, then the admin cluster', () => {
    const plan = planBackup({ config, topology: 'controlplane-v2', temporaryFile: '/tmp/etcd-dr-x.db' });
    expect(plan).toMatchObject({ kind: 'backup', planVersion: 1, includeAdmin: true, encrypted: false });
    expect(plan.steps.map((step) => step.id)).toEqual([
      'find-etcd',
      'connect-ssh',
      'snapshot',
      'pki:user-1-cp1',
      'pki:user-1-cp2',
      'admin-snapshot',
      'admin-pki:admin-cp',
      'save-objects',
      'write-bundle',
    ]);
    const find = plan.steps[0]!;
    expect(find.commands[0]).toBe(
      'kubectl --kubeconfig /k/user.kubeconfig get pods -n kube-system -l component=etcd,tier=control-plane -o wide',
    );
    expect(find.commands.slice(1).map((command) => command.split(' -c ')[0])).toEqual([
      'kubectl --kubeconfig /k/user.kubeconfig exec -n kube-system etcd-user-1-cp1',
      'kubectl --kubeconfig /k/user.kubeconfig exec -n kube-system etcd-user-1-cp2',
    ]);
    const snapshot = plan.steps[2]!;
    expect(snapshot.commands[1]).toContain('--cert=/etc/kubernetes/pki/etcd/server.crt');
    expect(snapshot.commands).toHaveLength(3);
    expect(snapshot.commands[1]).toMatch(
      /^kubectl --kubeconfig \/k\/user\.kubeconfig exec -n kube-system etcd-user-1-cp1 -c etcd -- \/bin\/sh -ec 'umask 077\nF=\/tmp\/etcd-dr-x\.db\n.* snapshot save "\$F" .*' > snapshot\.db$/s,
    );
    expect(snapshot.commands[2]).toMatch(/-c etcd -- \/bin\/sh -ec 'F=\/tmp\/etcd-dr-x\.db\n.*rm -f .*'$/s);
    expect(plan.steps[3]!.commands).toEqual([
      "ssh -i /keys/user-1-cp1 -J ubuntu@192.0.2.1:2222 ubuntu@10.0.0.11 'sudo -n -- tar -C / -cf - etc/kubernetes/pki' > pki/user-1-cp1.tar",
      "ssh -i /keys/user-1-cp1 -J ubuntu@192.0.2.1:2222 ubuntu@10.0.0.11 'sudo -n -- cat /etc/kubernetes/manifests/etcd.yaml' > objects/etcd-manifest-user-1-cp1.yaml",
    ]);
    expect(plan.steps[3]!.departsFromRunbook).toMatch(/chmod -R 0644/);
    expect(plan.steps[5]!.commands[1]).toContain('--cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt');
    expect(plan.steps[5]!.commands[1]).toMatch(
      /exec -n kube-system etcd-admin-cp -c etcd -- \/bin\/sh -ec .* snapshot save .* > admin\/snapshot\.db$/s,
    );
    expect(plan.steps[6]!.commands).toHaveLength(1);
    expect(plan.steps[6]!.commands[0]).toMatch(/ubuntu@10\.0\.0\.2 .* > admin\/pki\/admin-cp\.tar$/);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('Kubeception without the admin cluster, encrypted: no SSH at all, age in every stored secret', () => {
    const plan = planBackup({ config, topology: 'kubeception', includeAdmin: false, encrypted: true });
    expect(plan.steps.map((step) => step.id)).toEqual([
      'find-etcd',
      'snapshot',
      'save-objects',
      'write-bundle',
    ]);
    expect(plan.steps[1]!.commands[1]).toContain(
      'etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etcd.local.config/certificates/etcdCA.crt',
    );
    expect(plan.steps[1]!.commands[1]).toMatch(/ \| age -R RECIPIENTS_FILE > snapshot\.db\.age$/);
    expect(plan.steps[2]!.description).toMatch(/kube-etcd-certs-\* \(age-encrypted\)/);
  });

  it('spells ssh lines with a non-default port and quotes the command', () => {
    expect(
      sshLine({ node: { ...node('n', '10.1.1.1'), port: 2200 }, jumpHost: undefined, command: "echo 'a b'" }),
    ).toBe(`ssh -i /keys/n -p 2200 ubuntu@10.1.1.1 'echo '\\''a b'\\'''`);
  });
});
