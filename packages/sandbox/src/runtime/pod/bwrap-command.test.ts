import { describe, expect, it } from 'vitest';
import type { RuntimePodSpec } from '../pod-runtime.js';
import {
  buildBwrapArguments,
  buildExecArguments,
  containerEnvironment,
  resolveContainerMounts,
  shellQuote,
} from './bwrap-command.js';

const pod: RuntimePodSpec = {
  uid: 'u1',
  namespace: 'user1',
  name: 'kube-etcd-0',
  hostname: 'kube-etcd-0',
  subdomain: 'kube-etcd',
  restartPolicy: 'Always',
  network: { kind: 'own' },
  volumes: [
    { name: 'data', hostPath: '/lab/pvc/data-kube-etcd-0' },
    { name: 'certs', hostPath: '/lab/secrets/kube-etcd-certs', readOnly: true },
  ],
  containers: [
    {
      name: 'kube-etcd',
      image: 'gcr.io/gke-on-prem-release/etcd:v3.4.27-0-gke.1',
      command: ['etcd', '--name', 'kube-etcd-0'],
      workingDir: '/var/lib/etcd',
      env: [{ name: 'ETCDCTL_API', value: '3' }],
      volumeMounts: [
        { name: 'data', mountPath: '/var/lib/etcd' },
        { name: 'certs', mountPath: '/etcd.local.config/certificates' },
      ],
    },
  ],
};
const container = pod.containers[0]!;

/** Pairs each flag with the words after it, to assert on flags without depending on their order. */
function flagValues(args: string[], flag: string, arity: number): string[][] {
  const values: string[][] = [];
  args.forEach((word, index) => {
    if (word === flag && !args.slice(0, index).includes('--info-fd'))
      values.push(args.slice(index + 1, index + 1 + arity));
  });
  return values;
}

describe('resolveContainerMounts', () => {
  it('maps mounts to volume paths, read-only when the volume or the mount says so', () => {
    expect(resolveContainerMounts({ pod, container })).toEqual([
      { source: '/lab/pvc/data-kube-etcd-0', target: '/var/lib/etcd', readOnly: false },
      { source: '/lab/secrets/kube-etcd-certs', target: '/etcd.local.config/certificates', readOnly: true },
    ]);
  });

  it('resolves host paths inside a node root', () => {
    const nodePod = {
      ...pod,
      root: '/lab/nodes/cp1',
      volumes: [{ name: 'data', hostPath: '/opt/data/var/lib/etcd' }],
    };
    const mounts = resolveContainerMounts({
      pod: nodePod,
      container: {
        ...container,
        volumeMounts: [{ name: 'data', mountPath: '/var/lib/etcd', readOnly: true }],
      },
    });
    expect(mounts).toEqual([
      { source: '/lab/nodes/cp1/opt/data/var/lib/etcd', target: '/var/lib/etcd', readOnly: true },
    ]);
  });

  it('refuses a mount of a volume the pod lacks', () => {
    expect(() =>
      resolveContainerMounts({
        pod,
        container: { ...container, volumeMounts: [{ name: 'nope', mountPath: '/x' }] },
      }),
    ).toThrow(
      'pod user1/kube-etcd-0 container kube-etcd mounts volume "nope", which the pod does not define',
    );
  });
});

describe('buildBwrapArguments', () => {
  const args = buildBwrapArguments({
    pod,
    container,
    hostsPath: '/lab/hosts',
    podTmpPath: '/lab/pods/u1/tmp',
    etcFiles: { passwd: '/lab/pod-etc/passwd' },
    hostPaths: ['/etc/ssl'],
    infoFd: 3,
  });

  it('builds the view on a tmpfs root, never binding the host root', () => {
    expect(args.slice(0, 10)).toEqual([
      '--die-with-parent',
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      '--hostname',
      'kube-etcd-0',
      '--size',
      String(512 * 1024 * 1024),
      '--tmpfs',
      '/',
    ]);
    expect(flagValues(args, '--bind', 2)).not.toContainEqual(['/', '/']);
    expect(flagValues(args, '--ro-bind', 2)).toEqual([
      ['/usr', '/usr'],
      ['/lab/hosts', '/etc/hosts'],
      ['/etc/ssl', '/etc/ssl'],
      ['/lab/pod-etc/passwd', '/etc/passwd'],
      ['/lab/secrets/kube-etcd-certs', '/etcd.local.config/certificates'],
    ]);
    expect(flagValues(args, '--bind', 2)).toEqual([
      ['/lab/pods/u1/tmp', '/tmp'],
      ['/lab/pvc/data-kube-etcd-0', '/var/lib/etcd'],
    ]);
  });

  it('sets a clean environment, the working dir, the info fd and then the command', () => {
    expect(flagValues(args, '--setenv', 2)).toEqual([
      ['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ['HOSTNAME', 'kube-etcd-0'],
      ['HOME', '/root'],
      ['ETCDCTL_API', '3'],
    ]);
    expect(args.indexOf('--clearenv')).toBeLessThan(args.indexOf('--setenv'));
    expect(flagValues(args, '--chdir', 1)).toEqual([['/var/lib/etcd']]);
    expect(args.slice(-6)).toEqual(['--info-fd', '3', '--', 'etcd', '--name', 'kube-etcd-0']);
  });
});

describe('containerEnvironment', () => {
  it('lets the pod override PATH and refuses names that are not variables', () => {
    const environment = containerEnvironment({
      pod,
      container: { ...container, env: [{ name: 'PATH', value: '/x' }] },
    });
    expect(environment[0]).toEqual(['PATH', '/x']);
    expect(() =>
      containerEnvironment({ pod, container: { ...container, env: [{ name: 'A B', value: '' }] } }),
    ).toThrow(/invalid environment variable name "A B"/);
  });
});

describe('buildExecArguments', () => {
  const base = {
    targetPid: 42,
    workingDir: '/var/lib/etcd',
    environment: [['A', '1']] as Array<[string, string]>,
  };

  it('enters the container namespaces and runs the command with its env in its working dir', () => {
    expect(buildExecArguments({ ...base, command: ['etcdctl', 'endpoint', 'health'], tty: false })).toEqual([
      '--target',
      '42',
      '--mount',
      '--net',
      '--uts',
      '--ipc',
      '--pid',
      '--',
      '/usr/bin/env',
      '-i',
      '-C',
      '/var/lib/etcd',
      'A=1',
      'etcdctl',
      'endpoint',
      'health',
    ]);
  });

  it('runs through script for a tty, quoting every word', () => {
    expect(buildExecArguments({ ...base, command: ['sh', '-c', "echo 'hi'"], tty: true }).slice(-4)).toEqual([
      '/usr/bin/script',
      '-qefc',
      `sh -c 'echo '\\''hi'\\'''`,
      '/dev/null',
    ]);
    expect(shellQuote('/var/lib/etcd')).toBe('/var/lib/etcd');
  });
});
