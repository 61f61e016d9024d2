import { describe, expect, it } from 'vitest';
import { parseSnapshotMarkers, planEtcdPodSnapshot } from './plan-etcd-pod-snapshot.js';

const plan = planEtcdPodSnapshot({
  namespace: 'kube-system',
  pod: 'etcd-cp1',
  container: 'etcd',
  certificates: { ca: "/pki/it's ca.crt", cert: '/pki/server.crt', key: '/pki/server key' },
  temporaryFile: "/tmp/etcd dr's.db",
});

describe('planEtcdPodSnapshot', () => {
  it('quotes the file once, in F, and every path for the shell', () => {
    const script = plan.streamSnapshot.command[2]!;
    expect(script).toContain(`F='/tmp/etcd dr'\\''s.db'`);
    expect(script).toContain(
      `--cacert='/pki/it'\\''s ca.crt' --cert=/pki/server.crt --key='/pki/server key'`,
    );
    expect(script.split('/tmp/etcd dr')).toHaveLength(2);
    for (const command of [plan.resumeSnapshot(5), plan.cleanup]) {
      expect(command.command[2]).toContain(`F='/tmp/etcd dr'\\''s.db'`);
    }
  });

  it('opens the .part file before starting etcdctl and reads it until etcdctl renamed it or died', () => {
    const lines = plan.streamSnapshot.command[2]!.split('\n');
    const index = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    expect(index(/^umask 077$/)).toBe(0);
    expect(index(/^exec 3<"\$F\.part"$/)).toBeGreaterThan(index(/^: >"\$F\.part"$/));
    expect(index(/snapshot save "\$F"/)).toBeGreaterThan(index(/^exec 3</));
    expect(index(/^while \[ -e "\$F\.part" \] && alive "\$pid"; do cat <&3;/)).toBeGreaterThan(
      index(/snapshot save/),
    );
    expect(index(/^cat <&3$/)).toBeGreaterThan(index(/^code=0; wait "\$pid"/));
    // alive() itself is tested against real processes in saver-alive-function.e2e.test.ts.
    expect(index(/^alive\(\) \{$/)).toBeLessThan(index(/^while /));
  });

  it('prints the status and size markers after the content, and etcdctl log on failure', () => {
    for (const script of [plan.streamSnapshot.command[2]!, plan.resumeSnapshot(7).command[2]!]) {
      expect(script).toContain('echo "etcd-dr:status=$status" >&2');
      expect(script).toContain('echo etcd-dr:size=$(wc -c <"$F") >&2');
    }
    expect(plan.streamSnapshot.command[2]).toContain('cat "$F.log" >&2; rm -f');
    expect(plan.resumeSnapshot(7).command[2]).toContain('tail -c +8 "$F"');
  });

  it('cleans up the .part file before the snapshot so that a late rename cannot leave it', () => {
    expect(plan.cleanup.command[2]).toMatch(/rm -f "\$F\.part" "\$F" "\$F\.log" "\$F\.pid"$/);
    expect(plan.cleanup.command[2]).toContain('kill -9 "$pid"');
  });

  it('uses the given endpoint', () => {
    const local = planEtcdPodSnapshot({
      namespace: 'n',
      pod: 'p',
      container: 'c',
      certificates: { ca: 'a', cert: 'b', key: 'c' },
      temporaryFile: '/tmp/x.db',
      endpoint: 'http://127.0.0.1:12345',
    });
    expect(local.streamSnapshot.command[2]).toContain('etcdctl --endpoints=http://127.0.0.1:12345 ');
  });
});

describe('parseSnapshotMarkers', () => {
  it('reads the status and size lines among other stderr', () => {
    expect(
      parseSnapshotMarkers(
        'noise\netcd-dr:status={"hash":1,"revision":42,"totalKey":7,"totalSize":8192}\netcd-dr:size=8224\n',
      ),
    ).toEqual({ status: { revision: 42, totalKeys: 7 }, size: 8224 });
  });

  it('leaves out what is missing or malformed', () => {
    expect(parseSnapshotMarkers('etcd-dr:status={"revision":"x"}\netcd-dr:size=12a\n')).toEqual({});
    expect(parseSnapshotMarkers('etcd-dr:status=\netcd-dr:size=   12\n')).toEqual({ size: 12 });
    expect(parseSnapshotMarkers('Error: context deadline exceeded')).toEqual({});
  });
});
