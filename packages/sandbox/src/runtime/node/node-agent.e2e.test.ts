import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BwrapPodRuntime } from '../pod/bwrap-pod-runtime.js';
import { runCommand } from '../run-command.js';
import type { SandboxError } from '../sandbox-error.js';
import { NodeAgent, type StaticPodReport } from './node-agent.js';
import { renderEtcdManifest } from './render-etcd-manifest.js';
import { renderKubeApiserverManifest } from './render-kube-apiserver-manifest.js';
import type { LabNode } from './start-node.js';
import { startTestNode, type TestNode } from './testing/start-test-node.js';

let lab: TestNode;
let runtime: BwrapPodRuntime;
let node: LabNode;
let agent: NodeAgent;
const reports: StaticPodReport[][] = [];
const errors: SandboxError[] = [];

const etcdctl =
  'sudo -n etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt ' +
  '--cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key';

const ssh = (command: string, input?: string) => lab.ssh(command, input);

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const running = (name: string) =>
  agent
    .pods()
    .find(
      (pod) => pod.name === name && pod.status?.containers[0] && 'running' in pod.status.containers[0].state,
    );

async function etcdCommandLines(): Promise<string[]> {
  const pids = (await runCommand({ command: 'ip', args: ['netns', 'pids', node.netns] })).stdout
    .split('\n')
    .filter(Boolean);
  return pids
    .map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      } catch {
        return [];
      }
    })
    .filter((command) => command[0] === 'etcd')
    .map((command) => command.join(' '));
}

beforeAll(async () => {
  lab = await startTestNode({ prefix: 'edr-agent-', leaves: ['server', 'peer', 'healthcheck-client'] });
  node = lab.node;
  runtime = await BwrapPodRuntime.create({ state: lab.state, network: lab.network });
  agent = await NodeAgent.start({
    node,
    runtime,
    pollIntervalMs: 500,
    onError: (error) => errors.push(error),
  });
  agent.onChange((pods) => reports.push(pods));
});

afterAll(async () => {
  try {
    await agent?.stop();
    await runtime?.close();
  } finally {
    await lab?.close();
  }
});

describe('NodeAgent (static pods from /etc/kubernetes/manifests)', () => {
  it('starts etcd and the API server placeholder from manifests written over ssh with sudo tee', async () => {
    const etcd = renderEtcdManifest({
      nodeName: 'cp1',
      nodeIp: node.ip,
      initialCluster: [{ name: 'cp1', ip: node.ip }],
    });
    const apiserver = renderKubeApiserverManifest({ nodeName: 'cp1', nodeIp: node.ip });
    expect((await ssh('sudo -n tee /etc/kubernetes/manifests/etcd.yaml >/dev/null', etcd)).exitCode).toBe(0);
    expect(
      (await ssh('sudo -n tee /etc/kubernetes/manifests/kube-apiserver.yaml >/dev/null', apiserver)).exitCode,
    ).toBe(0);
    await waitFor('both static pods running', () => running('etcd-cp1') && running('kube-apiserver-cp1'));
    const put = await waitFor('etcd answering on the node', async () => {
      const result = await ssh(`${etcdctl} put /registry/marker before-restart`);
      return result.exitCode === 0 && result;
    });
    expect(put.stdout.toString().trim()).toBe('OK');
    const last = reports.at(-1)!;
    expect(
      last.map((pod) => [pod.name, pod.namespace, pod.labels.component, pod.labels.tier, pod.node]),
    ).toEqual([
      ['etcd-cp1', 'kube-system', 'etcd', 'control-plane', 'cp1'],
      ['kube-apiserver-cp1', 'kube-system', 'kube-apiserver', 'control-plane', 'cp1'],
    ]);
    expect(existsSync(join(node.root, 'opt/data/var/lib/etcd/member/snap'))).toBe(true);
    const exec = runtime.exec({
      uid: running('etcd-cp1')!.uid,
      container: 'etcd',
      command: ['ls', '/var/lib/etcd'],
      tty: false,
    });
    exec.stdin.end();
    const listed: Buffer[] = [];
    for await (const chunk of exec.stdout) listed.push(chunk as Buffer);
    expect(Buffer.concat(listed).toString().trim()).toBe('member');
  });

  it('stops both pods when the manifests are moved away with sudo mv, as in the runbook', async () => {
    const uid = running('etcd-cp1')!.uid;
    const moved = await ssh(
      'sudo -n mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/manifests/etcd.yaml ~',
    );
    expect(moved.exitCode).toBe(0);
    await waitFor('no static pods', () => agent.pods().length === 0 && reports.at(-1)?.length === 0);
    expect(runtime.podStatus(uid)).toBeUndefined();
    expect(await etcdCommandLines()).toEqual([]);
    expect((await ssh(`${etcdctl} --dial-timeout=1s get /registry/marker`)).exitCode).not.toBe(0);
    expect(existsSync(join(node.root, 'home/ubuntu/etcd.yaml'))).toBe(true);
  });

  it('restarts etcd with the flags of the changed manifest when it comes back, keeping its data', async () => {
    const home = join(node.root, 'home/ubuntu');
    const edited = readFileSync(join(home, 'etcd.yaml'), 'utf8').replace(
      /^(\s*)- --name=cp1$/m,
      '$1- --name=cp1\n$1- --initial-cluster-state=new',
    );
    expect((await ssh('sudo -n tee ~/etcd.yaml >/dev/null', edited)).exitCode).toBe(0);
    expect(
      (await ssh('sudo -n mv ~/etcd.yaml ~/kube-apiserver.yaml /etc/kubernetes/manifests/')).exitCode,
    ).toBe(0);
    await waitFor(
      'both static pods running again',
      () => running('etcd-cp1') && running('kube-apiserver-cp1'),
    );
    const commands = await waitFor('the etcd process', async () => {
      const lines = await etcdCommandLines();
      return lines.length > 0 && lines;
    });
    expect(commands).toHaveLength(1);
    expect(commands[0]).toContain('--initial-cluster-state=new');
    const got = await waitFor('etcd answering again', async () => {
      const result = await ssh(`${etcdctl} get /registry/marker --print-value-only`);
      return result.exitCode === 0 && result;
    });
    expect(got.stdout.toString().trim()).toBe('before-restart');
  });

  it('restarts a pod whose manifest changes in place, and reports a broken manifest without starting it', async () => {
    const before = running('kube-apiserver-cp1')!.uid;
    const apiserver = renderKubeApiserverManifest({ nodeName: 'cp1', nodeIp: node.ip, securePort: 7443 });
    await ssh('sudo -n tee /etc/kubernetes/manifests/kube-apiserver.yaml >/dev/null', apiserver);
    await waitFor('a new kube-apiserver pod', () => {
      const pod = running('kube-apiserver-cp1');
      return pod && pod.uid !== before && pod;
    });
    expect(runtime.podStatus(before)).toBeUndefined();
    await ssh('echo "kind: [" | sudo -n tee /etc/kubernetes/manifests/broken.yaml >/dev/null');
    await waitFor('an error for broken.yaml', () =>
      errors.find((error) => error.message.includes('broken.yaml')),
    );
    expect(errors.at(-1)).toMatchObject({ code: 'SANDBOX_MANIFEST_INVALID' });
    expect(agent.pods().map((pod) => pod.file)).toEqual(['etcd.yaml', 'kube-apiserver.yaml']);
  });
});
