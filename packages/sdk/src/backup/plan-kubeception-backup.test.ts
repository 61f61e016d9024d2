import { describe, expect, it } from 'vitest';
import { planKubeceptionBackup } from './plan-kubeception-backup.js';

describe('planKubeceptionBackup', () => {
  const plan = planKubeceptionBackup({
    namespace: 'user-1',
    pod: 'kube-etcd-1',
    temporaryFile: '/tmp/etcd-dr-00ff.db',
    kubeconfigPath: '/home/me/admin kubeconfig',
  });

  it('uses the runbook certificates and saves into the temporary file', () => {
    const script = plan.saveSnapshot.command[2]!;
    expect(plan.saveSnapshot.command.slice(0, 2)).toEqual(['/bin/sh', '-ec']);
    expect(script).toBe(
      'ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etcd.local.config/certificates/etcdCA.crt --cert=/etcd.local.config/certificates/etcd.crt --key=/etcd.local.config/certificates/etcd.key snapshot save /tmp/etcd-dr-00ff.db >&2 && wc -c < /tmp/etcd-dr-00ff.db',
    );
    expect(plan.checkEtcd.command[2]).toMatch(/ endpoint status -w json$/);
  });

  it('streams with cat from 0 and resumes with tail -c +N after N bytes', () => {
    expect(plan.transfer(0).command).toEqual(['cat', '/tmp/etcd-dr-00ff.db']);
    expect(plan.transfer(1048576).command).toEqual(['tail', '-c', '+1048577', '/tmp/etcd-dr-00ff.db']);
    expect(plan.cleanup.command).toEqual(['rm', '-f', '/tmp/etcd-dr-00ff.db']);
  });

  it('spells each command as a kubectl exec line, quoted for a shell', () => {
    expect(plan.cleanup.kubectl).toBe(
      "kubectl --kubeconfig '/home/me/admin kubeconfig' exec -n user-1 kube-etcd-1 -c kube-etcd -- rm -f /tmp/etcd-dr-00ff.db",
    );
    expect(plan.saveSnapshot.kubectl).toMatch(
      /-- \/bin\/sh -ec 'ETCDCTL_API=3 etcdctl .* snapshot save .*'$/,
    );
  });
});
