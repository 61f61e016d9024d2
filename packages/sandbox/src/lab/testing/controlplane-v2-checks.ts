import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parse } from 'yaml';
import type { Sandbox } from '../start-sandbox.js';
import { retryUntil, runTool } from './run-tool.js';

/** The nodes etcd-dr.yaml lists, as a CPv2 e2e test needs them. */
export interface LabConfigNodes {
  controlPlaneNodes: Array<{ name: string; address: string; identityFile: string; hostKey: string }>;
  adminNode: { name: string; address: string };
  jumpHost?: { name: string; address: string };
}

export async function readLabNodes(lab: Sandbox): Promise<LabConfigNodes> {
  const config = parse(await readFile(lab.config, 'utf8'));
  return {
    controlPlaneNodes: config.userCluster.controlPlaneNodes,
    adminNode: config.adminCluster.controlPlaneNode,
    ...(config.jumpHost ? { jumpHost: config.jumpHost } : {}),
  };
}

export const etcdctlCerts = [
  '--cacert=/etc/kubernetes/pki/etcd/ca.crt',
  '--cert=/etc/kubernetes/pki/etcd/server.crt',
  '--key=/etc/kubernetes/pki/etcd/server.key',
  '--endpoints=https://127.0.0.1:2379',
];

export function kubectl(lab: Sandbox, args: string[], kubeconfig = lab.userKubeconfig) {
  return runTool({
    program: 'kubectl',
    args: ['--kubeconfig', kubeconfig, '--request-timeout=20s', ...args],
  });
}

export function ssh(lab: Sandbox, node: string, command: string, extra: string[] = []) {
  return runTool({ program: 'ssh', args: ['-F', lab.sshConfig!, ...extra, node, command] });
}

/** The runbook's backup steps: pods by label with -o wide, etcdctl through exec, kubectl cp, PKI over ssh. */
export async function checkBackupSteps(lab: Sandbox, nodes: LabConfigNodes): Promise<void> {
  const wide = await kubectl(lab, [
    'get',
    'pods',
    '-n',
    'kube-system',
    '-l',
    'component=etcd,tier=control-plane',
    '-o',
    'wide',
  ]);
  expect(wide.stderr).toBe('');
  const rows = wide.stdout
    .toString()
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(/\s+/));
  expect(rows.map((row) => [row[0], row[1], row[2], row[5], row[6]])).toEqual(
    nodes.controlPlaneNodes.map((node) => [`etcd-${node.name}`, '1/1', 'Running', node.address, node.name]),
  );

  const first = nodes.controlPlaneNodes[0]!.name;
  const health = await kubectl(lab, [
    'exec',
    '-n',
    'kube-system',
    `etcd-${first}`,
    '-c',
    'etcd',
    '--',
    'etcdctl',
    ...etcdctlCerts,
    'endpoint',
    'health',
  ]);
  expect(health.exitCode).toBe(0);
  expect(`${health.stdout}${health.stderr}`).toContain('https://127.0.0.1:2379 is healthy');

  const save = await kubectl(lab, [
    'exec',
    '-n',
    'kube-system',
    `etcd-${first}`,
    '-c',
    'etcd',
    '--',
    'etcdctl',
    ...etcdctlCerts,
    'snapshot',
    'save',
    '/tmp/snapshot.db',
  ]);
  expect(save.exitCode).toBe(0);
  const local = await mkdtemp(join(tmpdir(), 'edr-cpv2-snap-'));
  try {
    const copy = await kubectl(lab, [
      'cp',
      '-c',
      'etcd',
      `kube-system/etcd-${first}:/tmp/snapshot.db`,
      join(local, 'snapshot.db'),
    ]);
    expect(copy.exitCode).toBe(0);
    const status = await runTool({
      program: 'etcdctl',
      args: ['snapshot', 'status', join(local, 'snapshot.db'), '-w', 'json'],
    });
    expect(status.exitCode).toBe(0);
    // The user API's objects (namespaces, the OnPremUserCluster, nodes, mirror pods) are in it.
    expect(JSON.parse(status.stdout.toString()).totalKey).toBeGreaterThan(5);
  } finally {
    await rm(local, { recursive: true, force: true });
  }

  const logs = await kubectl(lab, ['logs', '-n', 'kube-system', `etcd-${first}`, '-c', 'etcd']);
  expect(logs.exitCode).toBe(0);
  expect(logs.stdout.toString()).toContain(`embed: name = ${first}`);

  for (const node of [...nodes.controlPlaneNodes, nodes.adminNode]) {
    const archive = await ssh(lab, node.name, 'sudo -n tar -C / -cf - etc/kubernetes/pki');
    expect(archive.exitCode).toBe(0);
    const listing = await runTool({ program: 'tar', args: ['-tvf', '-'], input: archive.stdout });
    const files = new Map(
      listing.stdout
        .toString()
        .trim()
        .split('\n')
        .map((line) => line.split(/\s+/))
        .filter((fields) => fields[0]!.startsWith('-'))
        .map((fields) => [fields[5]!.replace('etc/kubernetes/pki/', ''), `${fields[0]} ${fields[1]}`]),
    );
    for (const name of [
      'etcd/ca.crt',
      'etcd/server.crt',
      'etcd/peer.crt',
      'etcd/healthcheck-client.crt',
      'ca.crt',
    ]) {
      expect(files.get(name)).toBe('-rw-r--r-- root/root');
    }
    for (const name of [
      'etcd/ca.key',
      'etcd/server.key',
      'etcd/peer.key',
      'etcd/healthcheck-client.key',
      'ca.key',
    ]) {
      expect(files.get(name)).toBe('-rw------- root/root');
    }
  }
}

/** Moving kube-apiserver.yaml off every node refuses connections to the user API; moving it back reopens it. */
export async function checkApiserverManifests(lab: Sandbox, nodes: LabConfigNodes): Promise<void> {
  for (const node of nodes.controlPlaneNodes) {
    const moved = await ssh(
      lab,
      node.name,
      'sudo -n mv /etc/kubernetes/manifests/kube-apiserver.yaml /home/ubuntu/',
    );
    expect(moved.exitCode).toBe(0);
  }
  const down = await retryUntil({
    attempt: () => kubectl(lab, ['get', 'namespaces']),
    // A request cut while the endpoint closes fails differently; a closed endpoint refuses connections.
    done: (result) => /connection refused|connection to the server \S+ was refused/.test(result.stderr),
    timeoutMs: 20_000,
  });
  expect(down.stderr).toMatch(/connection refused|connection to the server \S+ was refused/);
  for (const node of nodes.controlPlaneNodes) {
    const back = await ssh(
      lab,
      node.name,
      'sudo -n mv /home/ubuntu/kube-apiserver.yaml /etc/kubernetes/manifests/',
    );
    expect(back.exitCode).toBe(0);
  }
  const up = await retryUntil({
    attempt: () =>
      kubectl(lab, ['get', 'pods', '-n', 'kube-system', '-l', 'component=kube-apiserver', '-o', 'name']),
    done: (result) =>
      result.exitCode === 0 &&
      result.stdout.toString().trim().split('\n').length === nodes.controlPlaneNodes.length,
    timeoutMs: 20_000,
  });
  expect(up.stdout.toString().trim().split('\n').sort()).toEqual(
    nodes.controlPlaneNodes.map((node) => `pod/kube-apiserver-${node.name}`).sort(),
  );
}

/** Host state a lab must leave as it found it. */
export function hostFingerprint(): Record<string, string> {
  const hash = (path: string) =>
    existsSync(path) && statSync(path).isFile()
      ? createHash('sha256').update(readFileSync(path)).digest('hex')
      : 'missing';
  return {
    passwd: hash('/etc/passwd'),
    group: hash('/etc/group'),
    shadow: hash('/etc/shadow'),
    sudoers: hash('/etc/sudoers'),
    ssh: readdirSync('/etc/ssh', { recursive: true })
      .map(String)
      .sort()
      .map((name) => `${name}:${hash(join('/etc/ssh', name))}`)
      .join(','),
  };
}

/** What a running lab made on the host, read from its journal before it is stopped. */
export interface LabFootprint {
  dir: string;
  prefix: string;
  processes: Array<{ pid: number; startTime: string }>;
}

export async function readLabFootprint(dir: string): Promise<LabFootprint> {
  const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as {
    prefix: string;
    objects: Array<{ kind: string; pid?: number; startTime?: string }>;
  };
  const status = JSON.parse(await readFile(join(dir, 'status.json'), 'utf8')) as { pid: number };
  const processes = state.objects
    .filter((object) => object.kind === 'process')
    .map((object) => ({ pid: object.pid!, startTime: object.startTime! }));
  processes.push({ pid: status.pid, startTime: startTimeOf(status.pid) ?? 'gone' });
  return { dir, prefix: state.prefix, processes };
}

function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** After `stopSandbox` (`etcd-dr sandbox down`): no process, netns, link, mount or file of the lab remains. */
export async function expectNothingLeft(footprint: LabFootprint): Promise<void> {
  expect(footprint.processes.length).toBeGreaterThan(3);
  expect(existsSync(footprint.dir)).toBe(false);
  const netns = await runTool({ program: 'ip', args: ['netns', 'list'] });
  expect(netns.stdout.toString()).not.toContain(footprint.prefix);
  const links = await runTool({ program: 'ip', args: ['-o', 'link', 'show'] });
  expect(links.stdout.toString()).not.toContain(footprint.prefix);
  expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(footprint.dir);
  const alive = footprint.processes.filter((process) => startTimeOf(process.pid) === process.startTime);
  expect(alive).toEqual([]);
}
