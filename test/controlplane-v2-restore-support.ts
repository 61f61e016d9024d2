import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { runKubectl } from '../packages/sandbox/src/apiserver/test-support/run-kubectl.js';
import { type Sandbox, startSandbox } from '../packages/sandbox/src/lab/start-sandbox.js';
import { etcdctlCerts } from '../packages/sandbox/src/lab/testing/controlplane-v2-checks.js';
import { retryUntil, runTool } from '../packages/sandbox/src/lab/testing/run-tool.js';
import type { StepContext } from '../packages/sdk/src/apply/step-executor.js';
import { createBundleWriter } from '../packages/sdk/src/bundle/create-bundle-writer.js';
import { type Bundle, readBundle } from '../packages/sdk/src/bundle/read-bundle.js';
import { ageEncrypt } from '../packages/sdk/src/bundle-crypto/age-encrypt.js';
import type { ClusterConfig } from '../packages/sdk/src/cluster/cluster-config.js';
import { loadClusterConfig } from '../packages/sdk/src/cluster/load-cluster-config.js';
import type { PlanStep } from '../packages/sdk/src/plan/plan-step.js';
import { controlplaneV2StepExecutors } from '../packages/sdk/src/restore/controlplane-v2/index.js';
import { connectKube, type KubeConnection } from '../packages/sdk/src/transport/kube/connect-kube.js';
import { connectSsh } from '../packages/sdk/src/transport/ssh/connect-ssh.js';
import type { SshConnection } from '../packages/sdk/src/transport/ssh/ssh-connection.js';

// The lab's etcdctl flags for a member's server certificate (as the runbook's backup uses them), for the tests.
export { etcdctlCerts };

export const userKubectl = (lab: Sandbox, args: string[]) =>
  runKubectl({ kubeconfig: lab.userKubeconfig, args: ['--request-timeout=20s', ...args], timeoutMs: 60_000 });

/** Names of the configmaps in namespace default, once the user API answers. */
export async function configMapNames(lab: Sandbox, timeoutMs = 60_000): Promise<string[]> {
  const result = await retryUntil({
    attempt: () => userKubectl(lab, ['get', 'configmaps', '-o', 'jsonpath={.items[*].metadata.name}']),
    done: (outcome) => outcome.exitCode === 0,
    timeoutMs,
  });
  if (result.exitCode !== 0) throw new Error(`kubectl get configmaps failed: ${result.stderr}`);
  return result.stdout.split(' ').filter(Boolean);
}

/** An SSH connection pool over the config's nodes (jump host included), as the restore engine keeps one. */
export function sshPool(config: ClusterConfig): {
  ssh(node: string): Promise<SshConnection>;
  close(): Promise<void>;
} {
  const connections = new Map<string, Promise<SshConnection>>();
  return {
    ssh(name) {
      let connection = connections.get(name);
      if (!connection) {
        const node = config.userCluster.controlPlaneNodes.find((candidate) => candidate.name === name);
        if (!node) throw new Error(`no node ${name} in the config`);
        connection = connectSsh({ node, ...(config.jumpHost ? { jumpHost: config.jumpHost } : {}) });
        connections.set(name, connection);
      }
      return connection;
    },
    async close() {
      for (const connection of connections.values()) await (await connection).close();
      connections.clear();
    },
  };
}

/** A Controlplane V2 lab in a fresh temp folder, its config and an SSH pool; `close` stops and removes all of it. */
export async function openLab(options: { prefix: string; ha: boolean; jumpHost: boolean }): Promise<{
  base: string;
  lab: Sandbox;
  config: ClusterConfig;
  pool: ReturnType<typeof sshPool>;
  close(): Promise<void>;
}> {
  const base = await mkdtemp(join(tmpdir(), options.prefix));
  let lab: Sandbox | undefined;
  let pool: ReturnType<typeof sshPool> | undefined;
  const close = async () => {
    await pool?.close();
    await lab?.stop();
    await rm(base, { recursive: true, force: true });
  };
  try {
    lab = await startSandbox({
      topology: 'controlplane-v2',
      ha: options.ha,
      jumpHost: options.jumpHost,
      dir: join(base, 'lab'),
      attached: true,
    });
    const config = await loadClusterConfig({ path: lab.config });
    pool = sshPool(config);
    return { base, lab, config, pool, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Runs a command as root on a node and returns its stdout (throws on a non-zero exit). */
export async function onNode(
  pool: ReturnType<typeof sshPool>,
  node: string,
  command: string,
): Promise<string> {
  const result = await (await pool.ssh(node)).exec({ command, sudo: true, timeoutMs: 60_000 });
  if (result.exitCode !== 0)
    throw new Error(`${command} on ${node}: exit ${result.exitCode}: ${result.stderr}`);
  return result.stdout.toString();
}

/**
 * A bundle as a Controlplane V2 backup would write it: the snapshot (taken with etcdctl in the etcd pod and
 * copied out with kubectl cp) and every node's PKI archive (sudo tar over SSH), both age-encrypted.
 */
export async function writeTestBundle(options: {
  lab: Sandbox;
  config: ClusterConfig;
  pool: ReturnType<typeof sshPool>;
  directory: string;
}): Promise<{ bundle: Bundle; identity: string; revision: number }> {
  const { lab, config, pool, directory } = options;
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const nodes = config.userCluster.controlPlaneNodes;
  const first = nodes[0]!.name;
  const save = await userKubectl(lab, [
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
    '/tmp/restore-test.db',
  ]);
  if (save.exitCode !== 0) throw new Error(`snapshot save failed: ${save.stderr}`);
  const snapshotFile = join(directory, 'snapshot.db');
  const copy = await userKubectl(lab, [
    'cp',
    '-c',
    'etcd',
    `kube-system/etcd-${first}:/tmp/restore-test.db`,
    snapshotFile,
  ]);
  if (copy.exitCode !== 0) throw new Error(`kubectl cp failed: ${copy.stderr}`);
  const status = await runTool({
    program: 'etcdctl',
    args: ['snapshot', 'status', snapshotFile, '-w', 'json'],
  });
  const { revision, totalKey } = JSON.parse(status.stdout.toString()) as {
    revision: number;
    totalKey: number;
  };

  const identity = await generateX25519Identity();
  const recipients = [await identityToRecipient(identity)];
  const writer = await createBundleWriter({ directory, name: 'cpv2-bundle' });
  const encrypted = async (options: {
    path: string;
    role: 'snapshot' | 'pki';
    node?: string;
    fill: (sink: PassThrough) => Promise<unknown>;
  }) => {
    const plain = new PassThrough();
    const cipher = new PassThrough();
    const encrypting = ageEncrypt({ source: plain, destination: cipher, recipients });
    const adding = writer.addFile({
      path: options.path,
      role: options.role,
      ...(options.node ? { node: options.node } : {}),
      encryption: 'age',
      content: cipher,
    });
    await Promise.all([options.fill(plain), encrypting, adding]);
  };
  await encrypted({
    path: 'snapshot.db.age',
    role: 'snapshot',
    fill: async (sink) => {
      for await (const chunk of createReadStream(snapshotFile)) sink.write(chunk);
      sink.end();
    },
  });
  for (const node of nodes) {
    await encrypted({
      path: `pki/${node.name}.tar.age`,
      role: 'pki',
      node: node.name,
      fill: async (sink) => {
        await (await pool.ssh(node.name)).readTar({
          directory: '/etc/kubernetes/pki',
          sudo: true,
          destination: sink,
        });
      },
    });
  }
  const committed = await writer.commit({
    tool: { name: 'etcd-dr-test', version: '0.0.0' },
    cluster: {
      name: config.userCluster.name,
      topology: 'controlplane-v2',
      ha: nodes.length > 1,
      members: nodes.map((node) => ({
        name: node.name,
        peerUrl: `https://${node.address}:2380`,
        node: node.name,
      })),
    },
    etcd: { version: '3.4.23' },
    snapshot: { revision, totalKeys: totalKey, hash: 'hashed' },
  });
  return { bundle: await readBundle({ path: committed.path }), identity, revision };
}

/** A StepContext over real connections: the lab's kubeconfigs and the SSH pool. */
export function stepContext(options: {
  config: ClusterConfig;
  bundle: Bundle;
  identity: string;
  pool: ReturnType<typeof sshPool>;
  workDirectory: string;
  outputs: Record<string, Record<string, unknown>>;
  /** Default: never aborted. */
  signal?: AbortSignal;
  /** Default: progress is dropped. */
  onProgress?: StepContext['onProgress'];
}): StepContext {
  let admin: Promise<KubeConnection> | undefined;
  let user: Promise<KubeConnection> | undefined;
  return {
    config: options.config,
    bundle: options.bundle,
    identities: [options.identity],
    adminKube: () => {
      admin ??= connectKube({
        kubeconfigPath: options.config.adminCluster.kubeconfig,
        requestTimeoutMs: 10_000,
      });
      return admin;
    },
    userKube: () => {
      user ??= connectKube({
        kubeconfigPath: options.config.userCluster.kubeconfig,
        requestTimeoutMs: 10_000,
      });
      return user;
    },
    ssh: (node) => options.pool.ssh(node),
    workDirectory: options.workDirectory,
    outputs: options.outputs,
    onProgress: options.onProgress ?? (() => {}),
    signal: options.signal ?? new AbortController().signal,
  };
}

/** The small sequential runner of the test: each step's executor by kind, outputs recorded by step id. */
export async function applySteps(options: {
  steps: PlanStep[];
  context: StepContext;
  /** Apply every step twice in a row (idempotency). Default false. */
  twice?: boolean;
}): Promise<void> {
  const outputs = options.context.outputs as Record<string, Record<string, unknown>>;
  for (const step of options.steps) {
    const executor = controlplaneV2StepExecutors[step.kind];
    if (!executor) throw new Error(`no executor for ${step.kind}`);
    for (let round = 0; round < (options.twice ? 2 : 1); round++) {
      const output = await executor.apply(step, options.context);
      if (output) outputs[step.id] = output;
    }
  }
}

/** Undoes the steps in reverse order, as the engine does after a failure. */
export async function undoSteps(options: { steps: PlanStep[]; context: StepContext }): Promise<void> {
  for (const step of [...options.steps].reverse()) {
    await controlplaneV2StepExecutors[step.kind]!.undo?.(step, options.context);
  }
}

/** The lab's `gkectl diagnose cluster`, retried until healthy (or the last output after the timeout). */
export async function diagnose(lab: Sandbox, cwd: string) {
  return retryUntil({
    attempt: () =>
      runTool({
        program: join(lab.dir, 'bin', 'gkectl'),
        args: [
          'diagnose',
          'cluster',
          '--kubeconfig',
          lab.adminKubeconfig,
          '--cluster-name',
          'user-cluster-1',
        ],
        cwd,
      }),
    done: (result) => result.exitCode === 0,
    timeoutMs: 60_000,
  });
}

/** A Writable that collects text. */
export function collect(): { sink: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  return {
    sink: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    }),
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}
