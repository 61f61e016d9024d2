import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabState } from '../lab-state.js';
import { LabNetwork } from '../network/lab-network.js';
import { createPki } from '../pki/create-pki.js';
import type { ExecSession, RuntimePodSpec } from '../pod-runtime.js';
import { runCommand } from '../run-command.js';
import { teardown } from '../teardown.js';
import { BwrapPodRuntime } from './bwrap-pod-runtime.js';

const namespace = 'user1';
const members = [0, 1, 2];
const certificates = '/etcd.local.config/certificates';
const etcdctl = [
  'etcdctl',
  '--endpoints=https://127.0.0.1:2379',
  `--cacert=${certificates}/etcdCA.crt`,
  `--cert=${certificates}/etcd.crt`,
  `--key=${certificates}/etcd.key`,
];

let dir: string;
let state: LabState;
let network: LabNetwork;
let runtime: BwrapPodRuntime;
let rootEntriesBefore: string[];

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function run(session: ExecSession, input?: string) {
  if (input !== undefined) session.stdin.end(input);
  else session.stdin.end();
  const [stdout, stderr, exit] = await Promise.all([
    readAll(session.stdout),
    readAll(session.stderr),
    session.exit,
  ]);
  return { stdout, stderr, exit };
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function etcdPod(index: number, ip: string): RuntimePodSpec {
  const name = `kube-etcd-${index}`;
  const peer = (member: number) => `kube-etcd-${member}=https://kube-etcd-${member}.kube-etcd:2380`;
  return {
    uid: `uid-${name}`,
    namespace,
    name,
    hostname: name,
    subdomain: 'kube-etcd',
    restartPolicy: 'Always',
    network: { kind: 'own' },
    volumes: [
      { name: 'data', hostPath: join(dir, 'volumes', `data-${name}`) },
      { name: 'certs', hostPath: join(dir, 'volumes', `certs-${name}`), readOnly: true },
    ],
    containers: [
      {
        name: 'kube-etcd',
        image: 'gcr.io/gke-on-prem-release/etcd:v3.4.27-0-gke.1',
        command: [
          'etcd',
          `--name=${name}`,
          '--data-dir=/var/lib/etcd',
          `--listen-client-urls=https://127.0.0.1:2379,https://${ip}:2379`,
          `--advertise-client-urls=https://${name}.kube-etcd:2379`,
          `--listen-peer-urls=https://${ip}:2380`,
          `--initial-advertise-peer-urls=https://${name}.kube-etcd:2380`,
          `--initial-cluster=${members.map(peer).join(',')}`,
          '--initial-cluster-state=new',
          '--initial-cluster-token=etcd-cluster-1',
          `--cert-file=${certificates}/etcd.crt`,
          `--key-file=${certificates}/etcd.key`,
          `--trusted-ca-file=${certificates}/etcdCA.crt`,
          '--client-cert-auth',
          `--peer-cert-file=${certificates}/etcd.crt`,
          `--peer-key-file=${certificates}/etcd.key`,
          `--peer-trusted-ca-file=${certificates}/etcdCA.crt`,
          '--peer-client-cert-auth',
        ],
        workingDir: '/',
        env: [{ name: 'ETCD_HEARTBEAT_INTERVAL', value: '100' }],
        volumeMounts: [
          { name: 'data', mountPath: '/var/lib/etcd' },
          { name: 'certs', mountPath: certificates },
        ],
        readinessProbe: { exec: { command: [...etcdctl, 'endpoint', 'health'] }, periodSeconds: 2 },
      },
    ],
  };
}

const uid = (index: number) => `uid-kube-etcd-${index}`;
const status = (index: number) => runtime.podStatus(uid(index))?.containers[0];

beforeAll(async () => {
  rootEntriesBefore = readdirSync('/').sort();
  dir = await mkdtemp(join(tmpdir(), 'edr-pods-'));
  state = await LabState.create({ dir });
  network = await LabNetwork.create({ state });
  runtime = await BwrapPodRuntime.create({ state, network });
  const addresses = members.map((index) => network.addressFor(`${namespace}/kube-etcd-${index}`));
  const pki = await createPki({
    directory: join(dir, 'pki'),
    authorities: { etcdCA: { commonName: 'etcd-ca' } },
    leaves: members.map((index) => ({
      name: `kube-etcd-${index}`,
      authority: 'etcdCA',
      commonName: `kube-etcd-${index}`,
      dnsNames: [`kube-etcd-${index}.kube-etcd`, 'localhost'],
      ipAddresses: ['127.0.0.1', addresses[index]!],
      usage: 'peer',
    })),
  });
  for (const index of members) {
    const certs = join(dir, 'volumes', `certs-kube-etcd-${index}`);
    await mkdir(certs, { recursive: true });
    await mkdir(join(dir, 'volumes', `data-kube-etcd-${index}`), { recursive: true, mode: 0o700 });
    await copyFile(pki.authorities.etcdCA!.certificatePath, join(certs, 'etcdCA.crt'));
    await copyFile(pki.leaves[`kube-etcd-${index}`]!.certificatePath, join(certs, 'etcd.crt'));
    await copyFile(pki.leaves[`kube-etcd-${index}`]!.keyPath, join(certs, 'etcd.key'));
  }
  await Promise.all(members.map((index) => runtime.runPod(etcdPod(index, addresses[index]!))));
});

afterAll(async () => {
  try {
    await runtime?.close();
    await network?.close();
  } finally {
    if (dir) {
      await teardown({ dir });
      await rm(dir, { recursive: true, force: true });
    }
  }
});

describe('BwrapPodRuntime (as root, real etcd)', () => {
  it('runs a 3-member TLS etcd cluster whose peers find each other through the lab hosts file', async () => {
    await waitFor('every member ready', () => members.every((index) => status(index)?.ready));
    const podStatus = runtime.podStatus(uid(0))!;
    expect(podStatus.phase).toBe('Running');
    expect(podStatus.ip).toBe(network.addressFor(`${namespace}/kube-etcd-0`));
    expect(podStatus.containers[0]).toMatchObject({ name: 'kube-etcd', started: true, restartCount: 0 });
    const health = await run(
      runtime.exec({
        uid: uid(0),
        container: 'kube-etcd',
        command: [...etcdctl, 'endpoint', 'health', '--cluster'],
        tty: false,
      }),
    );
    expect(health.exit).toEqual({ exitCode: 0 });
    expect(`${health.stdout}${health.stderr}`.match(/is healthy/g)).toHaveLength(3);
    expect(`${health.stdout}${health.stderr}`).toContain('https://kube-etcd-2.kube-etcd:2379 is healthy');
    expect(existsSync(join(dir, 'volumes', 'data-kube-etcd-1', 'member', 'wal'))).toBe(true);
  });

  it('execs in the container view: its hostname, its env, its hosts file, no host files', async () => {
    const result = await run(
      runtime.exec({
        uid: uid(1),
        container: 'kube-etcd',
        command: [
          'sh',
          '-c',
          'hostname; echo $ETCD_HEARTBEAT_INTERVAL; grep -c kube-etcd /etc/hosts; ls /; tty',
        ],
        tty: false,
      }),
    );
    const lines = result.stdout.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual(['kube-etcd-1', '100', '3']);
    expect(lines).toContain('etcd.local.config');
    expect(lines).not.toContain('work');
    expect(lines.at(-1)).toBe('not a tty');
    expect(result.exit).toEqual({ exitCode: 1 });
    const root = await run(
      runtime.exec({
        uid: uid(1),
        container: 'kube-etcd',
        command: ['df', '-k', '--output=fstype,size', '/'],
        tty: false,
      }),
    );
    expect(root.stdout.trim().split('\n').at(-1)?.split(/\s+/)).toEqual(['tmpfs', '524288']);
    const withTty = await run(
      runtime.exec({ uid: uid(1), container: 'kube-etcd', command: ['tty'], tty: true }),
    );
    expect(withTty.stdout).toMatch(/^\/dev\/pts\/\d+/);
  });

  it('streams stdin into an exec, shares /tmp with the next exec and the host pod dir, propagates exit codes', async () => {
    const write = await run(
      runtime.exec({
        uid: uid(0),
        container: 'kube-etcd',
        command: ['sh', '-c', 'cat > /tmp/x'],
        tty: false,
      }),
      'snapshot bytes\n',
    );
    expect(write.exit).toEqual({ exitCode: 0 });
    const read = await run(
      runtime.exec({ uid: uid(0), container: 'kube-etcd', command: ['cat', '/tmp/x'], tty: false }),
    );
    expect(read.stdout).toBe('snapshot bytes\n');
    expect(await readFile(join(dir, 'pods', uid(0), 'tmp', 'x'), 'utf8')).toBe('snapshot bytes\n');
    const failing = await run(
      runtime.exec({
        uid: uid(0),
        container: 'kube-etcd',
        command: ['sh', '-c', 'echo out; echo err >&2; exit 3'],
        tty: false,
      }),
    );
    expect(failing).toEqual({ stdout: 'out\n', stderr: 'err\n', exit: { exitCode: 3 } });
    const missing = await run(
      runtime.exec({ uid: uid(0), container: 'kube-etcd', command: ['no-such-tool'], tty: false }),
    );
    expect(missing.exit).toEqual({ exitCode: 127 });
    const unknown = await run(
      runtime.exec({ uid: uid(0), container: 'nope', command: ['true'], tty: false }),
    );
    expect(unknown.exit).toEqual({ error: 'container not found ("nope")' });
  });

  it('restarts a killed container (restartCount 1, previous logs kept) and crash-loops on corrupted data', async () => {
    const etcdPid = Number(
      (await runCommand({ command: 'pgrep', args: ['-f', '^etcd --name=kube-etcd-2 '] })).stdout
        .trim()
        .split('\n')[0],
    );
    const changes: string[] = [];
    const unsubscribe = runtime.onChange((changed) => changes.push(changed));
    process.kill(etcdPid, 'SIGKILL');
    await waitFor('kube-etcd-2 restarted and ready', () => status(2)?.restartCount === 1 && status(2)?.ready);
    unsubscribe();
    expect(changes).toContain(uid(2));
    const previous = await readAll(runtime.logs({ uid: uid(2), container: 'kube-etcd', previous: true }));
    expect(previous).toContain('kube-etcd-2');
    const current = await readAll(runtime.logs({ uid: uid(2), container: 'kube-etcd' }));
    expect(current).toContain('restarting member');

    const database = await open(join(dir, 'volumes', 'data-kube-etcd-2', 'member', 'snap', 'db'), 'r+');
    await database.write(Buffer.alloc(16_384, 'x'), 0, 16_384, 0);
    await database.close();
    const restartedPid = Number(
      (await runCommand({ command: 'pgrep', args: ['-f', '^etcd --name=kube-etcd-2 '] })).stdout
        .trim()
        .split('\n')[0],
    );
    process.kill(restartedPid, 'SIGKILL');
    const crashLoop = await waitFor('kube-etcd-2 crash-looping', () => {
      const container = status(2);
      return container &&
        container.restartCount >= 3 &&
        'waiting' in container.state &&
        container.state.waiting.reason === 'CrashLoopBackOff'
        ? container
        : undefined;
    });
    expect(crashLoop.ready).toBe(false);
    expect(runtime.podStatus(uid(2))?.phase).toBe('Running');
    expect(() => runtime.logs({ uid: uid(2), container: 'nope' })).toThrow(/not valid for pod kube-etcd-2/);
  });

  it('reports an unknown image as ErrImagePull and keeps the pod Pending', async () => {
    await runtime.runPod({
      uid: 'uid-busybox',
      namespace,
      name: 'busybox',
      hostname: 'busybox',
      restartPolicy: 'Always',
      network: { kind: 'own' },
      volumes: [],
      containers: [
        { name: 'main', image: 'docker.io/library/busybox:1.36', command: ['sleep', '60'], volumeMounts: [] },
      ],
    });
    const pod = runtime.podStatus('uid-busybox')!;
    expect(pod.phase).toBe('Pending');
    expect(pod.containers[0]!.state).toEqual({
      waiting: {
        reason: 'ErrImagePull',
        message: expect.stringContaining('failed to pull and unpack image "docker.io/library/busybox:1.36"'),
      },
    });
    await runtime.killPod('uid-busybox');
    expect(runtime.podStatus('uid-busybox')).toBeUndefined();
  });

  it('joins an existing netns, resolves hostPath volumes inside a node root, and probes TCP inside the netns', async () => {
    const node = await network.attach({ key: 'node/cp1', label: 'cp1' });
    const root = join(dir, 'nodes', 'cp1');
    await mkdir(join(root, 'etc', 'kubernetes', 'pki'), { recursive: true });
    await runCommand({
      command: 'sh',
      args: ['-c', `echo node-ca > ${join(root, 'etc', 'kubernetes', 'pki', 'ca.crt')}`],
    });
    try {
      await runtime.runPod({
        uid: 'uid-static',
        namespace: 'kube-system',
        name: 'etcd-cp1',
        hostname: 'cp1',
        restartPolicy: 'Always',
        network: { kind: 'join', netns: node.netns, ip: node.ip },
        root,
        volumes: [{ name: 'pki', hostPath: '/etc/kubernetes/pki' }],
        containers: [
          {
            name: 'etcd',
            image: 'gcr.io/gke-on-prem-release/etcd:v3.4.27-0-gke.1',
            command: [
              'etcd',
              '--data-dir=/tmp/etcd',
              '--listen-client-urls=http://127.0.0.1:2379',
              '--advertise-client-urls=http://127.0.0.1:2379',
              '--listen-peer-urls=http://127.0.0.1:2380',
            ],
            volumeMounts: [{ name: 'pki', mountPath: '/etc/kubernetes/pki', readOnly: true }],
            readinessProbe: { tcpSocket: { port: 2379 }, periodSeconds: 1 },
          },
        ],
      });
      await waitFor('static etcd ready', () => runtime.podStatus('uid-static')?.containers[0]?.ready);
      expect(runtime.podStatus('uid-static')?.ip).toBe(node.ip);
      const view = await run(
        runtime.exec({
          uid: 'uid-static',
          container: 'etcd',
          command: [
            'sh',
            '-c',
            'cat /etc/kubernetes/pki/ca.crt; ip -4 -o addr show eth0; touch /etc/kubernetes/pki/x',
          ],
          tty: false,
        }),
      );
      expect(view.stdout).toContain('node-ca\n');
      expect(view.stdout).toContain(`inet ${node.ip}/`);
      expect(view.stderr).toContain('Read-only file system');
      await runtime.killPod('uid-static', { gracePeriodSeconds: 5 });
      const inNode = await runCommand({ command: 'ip', args: ['netns', 'pids', node.netns] });
      expect(inNode.stdout.trim()).toBe('');
      expect((await runCommand({ command: 'ip', args: ['netns', 'list'] })).stdout).toContain(node.netns);
    } finally {
      await network.detach(node);
    }
  });

  it('kills a pod: no netns, link, process or pod dir remains, the volumes stay', async () => {
    const attachmentNetns = `${state.prefix}-${namespace}-kube-etcd-1`;
    expect((await runCommand({ command: 'ip', args: ['netns', 'list'] })).stdout).toContain(attachmentNetns);
    await runtime.killPod(uid(1), { gracePeriodSeconds: 10 });
    expect(runtime.podStatus(uid(1))).toBeUndefined();
    expect((await runCommand({ command: 'ip', args: ['netns', 'list'] })).stdout).not.toContain(
      attachmentNetns,
    );
    expect(
      (await runCommand({ command: 'pgrep', args: ['-f', 'name=kube-etcd-1 '], allowFailure: true })).stdout,
    ).toBe('');
    expect(existsSync(join(dir, 'pods', uid(1)))).toBe(false);
    expect(existsSync(join(dir, 'volumes', 'data-kube-etcd-1', 'member'))).toBe(true);
    expect(state.objects().filter((object) => JSON.stringify(object).includes('kube-etcd-1'))).toEqual([]);
    // Left: the bridge and the veths of kube-etcd-0 and kube-etcd-2.
    const links = JSON.parse((await runCommand({ command: 'ip', args: ['-j', 'link'] })).stdout) as Array<{
      ifname: string;
    }>;
    expect(links.filter((link) => link.ifname.startsWith(state.prefix))).toHaveLength(3);
  });

  it('creates nothing on the host through bwrap mounts', () => {
    expect(readdirSync('/').sort()).toEqual(rootEntriesBefore);
  });
});
