import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LabState } from '../../runtime/lab-state.js';
import { LabNetwork } from '../../runtime/network/lab-network.js';
import { BwrapPodRuntime } from '../../runtime/pod/bwrap-pod-runtime.js';
import { teardown } from '../../runtime/teardown.js';
import { type ApiServer, createApiServer } from '../create-api-server.js';
import type { PodRuntime } from '../pod-runtime-contract.js';
import { findResourceType } from '../resource-types.js';
import { generateTestPki, type TestPki } from './generate-test-pki.js';
import { type KubectlResult, runKubectl, writeTestKubeconfig } from './run-kubectl.js';
import { startTestEtcd, type TestEtcd } from './start-test-etcd.js';

/** Everything one e2e test file needs: real etcd, the API server, a kubeconfig for the real kubectl. */
export interface TestApiServer {
  directory: string;
  pki: TestPki;
  etcd: TestEtcd;
  server: ApiServer;
  runtime: PodRuntime;
  kubeconfig: string;
  token: string;
  kubectl(args: string[], options?: { stdin?: string | Buffer; cwd?: string }): Promise<KubectlResult>;
  /** Runs kubectl and fails with its stderr when it exits non-zero. */
  kubectlOk(args: string[], options?: { stdin?: string | Buffer; cwd?: string }): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts etcd (plain HTTP, random ports), a lab network and the real pod runtime (bwrap pods in their own
 * netns; needs root), the API server with a kubelet for node `node1`, and creates namespaces `default`,
 * `kube-system` and node `node1` (Ready, InternalIP 127.0.0.1).
 */
export async function startTestApiServer(options: { etcdTls?: boolean } = {}): Promise<TestApiServer> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'edr-apiserver-test-'));
  const cleanups: Array<() => Promise<void>> = [() => rm(directory, { recursive: true, force: true })];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse().splice(0)) await cleanup().catch(() => undefined);
  };
  try {
    const pki = await generateTestPki({ directory });
    const etcdTls = options.etcdTls
      ? {
          ca: pki.ca,
          cert: pki.serverCert,
          key: pki.serverKey,
          files: { ca: pki.files.ca, cert: pki.files.serverCert, key: pki.files.serverKey },
        }
      : undefined;
    const etcd = await startTestEtcd({ directory: path.join(directory, 'etcd'), tls: etcdTls });
    cleanups.push(() => etcd.stop());
    const state = await LabState.create({ dir: path.join(directory, 'lab') });
    cleanups.push(async () => {
      await teardown({ dir: state.dir });
    });
    const network = await LabNetwork.create({ state });
    cleanups.push(() => network.close());
    const runtime = await BwrapPodRuntime.create({ state, network, defaultGracePeriodSeconds: 5 });
    cleanups.push(() => runtime.close());
    const token = `test-token-${Math.random().toString(36).slice(2)}`;
    const server = await createApiServer({
      etcd: {
        endpoints: [etcd.clientUrl],
        ...(etcdTls ? { tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey } } : {}),
        timeoutMs: 3000,
      },
      tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.ca },
      tokens: [token],
      runtime,
      kubelet: { nodes: ['node1'], dataDir: path.join(directory, 'kubelet') },
      resyncMs: 500,
    });
    cleanups.push(() => server.close());
    const namespaces = findResourceType({ group: '', version: 'v1', resource: 'namespaces' })!;
    const nodes = findResourceType({ group: '', version: 'v1', resource: 'nodes' })!;
    for (const name of ['default', 'kube-system']) {
      await server.store.create({ type: namespaces, object: { metadata: { name } } });
    }
    await server.store.create({
      type: nodes,
      object: {
        metadata: { name: 'node1', labels: { 'kubernetes.googleapis.com/cluster-name': 'user1' } },
        status: {
          conditions: [{ type: 'Ready', status: 'True' }],
          addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
        },
      },
    });
    const kubeconfig = await writeTestKubeconfig({
      directory,
      server: server.url,
      caFile: pki.files.ca,
      clientCertFile: pki.files.clientCert,
      clientKeyFile: pki.files.clientKey,
    });
    const kubectl = (args: string[], extra: { stdin?: string | Buffer; cwd?: string } = {}) =>
      runKubectl({ kubeconfig, args, ...extra });
    return {
      directory,
      pki,
      etcd,
      server,
      runtime,
      kubeconfig,
      token,
      kubectl,
      async kubectlOk(args, extra) {
        const result = await kubectl(args, extra);
        if (result.exitCode !== 0) {
          throw new Error(`kubectl ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
        }
        return result.stdout;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Polls `check` every 100 ms until it returns a value other than undefined/false, or fails after `timeoutMs` (default 20 s). */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
