import { describe, expect, it } from 'vitest';
import { planKubeceptionBackup } from './plan-kubeception-backup.js';

describe('planKubeceptionBackup', () => {
  const plan = planKubeceptionBackup({
    namespace: 'user-1',
    pod: 'kube-etcd-1',
    temporaryFile: '/tmp/etcd-dr-00ff.db',
    kubeconfigPath: '/home/me/admin kubeconfig',
  });

  it('uses the runbook certificates and streams the snapshot while etcdctl saves it', () => {
    expect(plan.streamSnapshot.command.slice(0, 2)).toEqual(['/bin/sh', '-ec']);
    const script = plan.streamSnapshot.command[2]!;
    expect(script).toContain(
      'etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etcd.local.config/certificates/etcdCA.crt --cert=/etcd.local.config/certificates/etcd.crt --key=/etcd.local.config/certificates/etcd.key snapshot save "$F" </dev/null >"$F.log" 2>&1 &',
    );
    expect(script.split('\n')[1]).toBe('F=/tmp/etcd-dr-00ff.db');
    expect(plan.checkEtcd.command[2]).toMatch(/^ETCDCTL_API=3 etcdctl .* endpoint status -w json$/);
  });

  it('resumes with tail -c +N after N bytes, once etcdctl finished', () => {
    const script = plan.resumeSnapshot(1048576).command[2]!;
    expect(script).toContain('tail -c +1048577 "$F"');
    expect(script.indexOf('while alive "$pid"')).toBeLessThan(script.indexOf('tail -c'));
    expect(plan.resumeSnapshot(0).command[2]).toContain('tail -c +1 "$F"');
  });

  it('spells each command as a kubectl exec line, quoted for a shell', () => {
    expect(plan.cleanup.kubectl).toMatch(
      /^kubectl --kubeconfig '\/home\/me\/admin kubeconfig' exec -n user-1 kube-etcd-1 -c kube-etcd -- \/bin\/sh -ec 'F=\/tmp\/etcd-dr-00ff\.db\n/,
    );
    expect(plan.streamSnapshot.kubectl).toMatch(/-- \/bin\/sh -ec 'umask 077\n.* snapshot save .*'$/s);
  });
});
