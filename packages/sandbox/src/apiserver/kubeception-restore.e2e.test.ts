import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabState } from '../runtime/lab-state.js';
import { LabNetwork } from '../runtime/network/lab-network.js';
import { BwrapPodRuntime } from '../runtime/pod/bwrap-pod-runtime.js';
import { teardown } from '../runtime/teardown.js';
import { type ApiServer, createApiServer } from './create-api-server.js';
import { findResourceType } from './resource-types.js';
import { generateTestPki, type TestPki } from './test-support/generate-test-pki.js';
import { utilityPodYaml } from './test-support/kubeception-fixture.js';
import { type KubectlResult, runKubectl, writeTestKubeconfig } from './test-support/run-kubectl.js';
import { waitFor } from './test-support/start-test-api-server.js';
import { startTestEtcd, type TestEtcd } from './test-support/start-test-etcd.js';

// The doc's manual non-HA Kubeception restore, step by step with the real kubectl, against this API
// server running real pods (bwrap, netns) through the real runtime: the conformance test of both layers.

const cluster = 'user1';
const certificates = '/etcd.local.config/certificates';
const etcdctl = `ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 --cacert=${certificates}/etcdCA.crt --cert=${certificates}/etcd.crt --key=${certificates}/etcd.key`;

let directory: string;
let pki: TestPki;
let storage: TestEtcd;
let state: LabState;
let network: LabNetwork;
let runtime: BwrapPodRuntime;
let server: ApiServer;
let kubeconfig: string;

const kubectl = (args: string[], stdin?: string): Promise<KubectlResult> =>
  runKubectl({ kubeconfig, args, stdin, timeoutMs: 120_000 });
async function kubectlOk(args: string[], stdin?: string): Promise<string> {
  const result = await kubectl(args, stdin);
  if (result.exitCode !== 0)
    throw new Error(`kubectl ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
  return result.stdout;
}
const inEtcd = (script: string) =>
  kubectlOk(['exec', '-n', cluster, 'kube-etcd-0', '-c', 'kube-etcd', '--', 'sh', '-ec', script]);
const isReady = async (name: string): Promise<boolean> =>
  (
    await kubectl([
      'get',
      'pod',
      name,
      '-n',
      cluster,
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
    ])
  ).stdout === 'True';

function fixture(): string {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return `apiVersion: v1
kind: Namespace
metadata: {name: ${cluster}}
---
apiVersion: v1
kind: Secret
metadata: {name: kube-etcd-certs-x7k2p, namespace: ${cluster}}
data:
  etcdCA.crt: ${b64(pki.ca)}
  etcd.crt: ${b64(pki.serverCert)}
  etcd.key: ${b64(pki.serverKey)}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: kube-etcd, namespace: ${cluster}}
spec:
  replicas: 1
  serviceName: kube-etcd
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: etcd}}
  template:
    metadata: {labels: {app: etcd}}
    spec:
      nodeSelector: {kubernetes.googleapis.com/cluster-name: ${cluster}}
      containers:
      - name: kube-etcd
        image: gcr.io/gke-on-prem-release/etcd:v3.4.27-0-gke.1
        command:
        - etcd
        - --name=kube-etcd-0
        - --data-dir=/var/lib/etcd
        - --listen-client-urls=https://127.0.0.1:2379
        - --advertise-client-urls=https://127.0.0.1:2379
        - --listen-peer-urls=https://127.0.0.1:2380
        - --initial-advertise-peer-urls=https://kube-etcd-0.kube-etcd:2380
        - --initial-cluster=kube-etcd-0=https://kube-etcd-0.kube-etcd:2380
        - --cert-file=${certificates}/etcd.crt
        - --key-file=${certificates}/etcd.key
        - --trusted-ca-file=${certificates}/etcdCA.crt
        - --client-cert-auth
        - --peer-cert-file=${certificates}/etcd.crt
        - --peer-key-file=${certificates}/etcd.key
        - --peer-trusted-ca-file=${certificates}/etcdCA.crt
        readinessProbe:
          exec: {command: [sh, -c, "${etcdctl} endpoint health"]}
          periodSeconds: 1
        volumeMounts:
        - {name: data, mountPath: /var/lib/etcd}
        - {name: etcd-certs, mountPath: ${certificates}}
      volumes:
      - name: etcd-certs
        secret: {secretName: kube-etcd-certs-x7k2p, defaultMode: 420}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`;
}

beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'edr-apiserver-restore-'));
  await mkdir(path.join(directory, 'pki'));
  pki = await generateTestPki({ directory: path.join(directory, 'pki') });
  storage = await startTestEtcd({ directory: path.join(directory, 'api-etcd') });
  state = await LabState.create({ dir: path.join(directory, 'lab') });
  network = await LabNetwork.create({ state });
  runtime = await BwrapPodRuntime.create({ state, network, defaultGracePeriodSeconds: 5 });
  server = await createApiServer({
    etcd: { endpoints: [storage.clientUrl] },
    tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.ca },
    runtime,
    kubelet: { nodes: ['node1'], dataDir: path.join(directory, 'kubelet') },
    resyncMs: 500,
  });
  const namespaces = findResourceType({ group: '', version: 'v1', resource: 'namespaces' })!;
  for (const name of ['default', 'kube-system'])
    await server.store.create({ type: namespaces, object: { metadata: { name } } });
  await server.store.create({
    type: findResourceType({ group: '', version: 'v1', resource: 'nodes' })!,
    object: {
      metadata: { name: 'node1', labels: { 'kubernetes.googleapis.com/cluster-name': cluster } },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    },
  });
  kubeconfig = await writeTestKubeconfig({
    directory,
    server: server.url,
    caFile: pki.files.ca,
    clientCertFile: pki.files.clientCert,
    clientKeyFile: pki.files.clientKey,
  });
  await kubectlOk(['apply', '-f', '-'], fixture());
  await waitFor(() => isReady('kube-etcd-0'), 60_000, 'kube-etcd-0 ready');
});

afterAll(async () => {
  try {
    await server?.close();
    await runtime?.close();
    await network?.close();
  } finally {
    if (state) await teardown({ dir: state.dir });
    await storage?.stop();
    if (directory) await rm(directory, { recursive: true, force: true });
  }
});

describe('the manual non-HA Kubeception restore with the real kubectl, real pods and real etcd', () => {
  it('backs up kube-etcd-0, restores the snapshot through a utility pod and brings the objects of the snapshot back', async () => {
    await inEtcd(`${etcdctl} put marker before-backup`);
    await inEtcd(`${etcdctl} snapshot save /tmp/snapshot.db`);
    const snapshot = path.join(directory, 'snapshot.db');
    await kubectlOk(['cp', `${cluster}/kube-etcd-0:/tmp/snapshot.db`, snapshot, '-c', 'kube-etcd']);
    expect((await readFile(snapshot)).length).toBeGreaterThan(4096);
    await inEtcd(`${etcdctl} put marker after-backup && ${etcdctl} put written-after-backup yes`);

    const secrets = (
      await kubectlOk(['get', 'secrets', '-n', cluster, '-o', 'jsonpath={.items[*].metadata.name}'])
    ).split(' ');
    const secret = secrets.find((name) => name.startsWith('kube-etcd-certs'))!;
    const node = await kubectlOk([
      'get',
      'pod',
      'kube-etcd-0',
      '-n',
      cluster,
      '-o',
      'jsonpath={.spec.nodeName}',
    ]);
    await kubectlOk(
      ['create', '-f', '-'],
      utilityPodYaml({ cluster, member: 0, node, version: '1.28.0-gke.1', secret }),
    );
    await waitFor(
      async () =>
        (await kubectlOk([
          'get',
          'pod',
          'etcd-utility-0',
          '-n',
          cluster,
          '-o',
          'jsonpath={.status.phase}',
        ])) === 'Running',
      60_000,
      'utility pod',
    );
    await kubectlOk(['cp', snapshot, `${cluster}/etcd-utility-0:/snapshot.db`, '-c', 'etcd-utility']);
    await kubectlOk([
      'exec',
      '-n',
      cluster,
      'etcd-utility-0',
      '-c',
      'etcd-utility',
      '--',
      'sh',
      '-ec',
      `cd / && ${etcdctl} snapshot restore snapshot.db && rm -r var/lib/etcd/* && cp -r default.etcd/* var/lib/etcd/`,
    ]);
    await kubectlOk(['delete', 'pod', 'kube-etcd-0', '-n', cluster]);
    await waitFor(() => isReady('kube-etcd-0'), 60_000, 'kube-etcd-0 back');
    expect(await inEtcd(`${etcdctl} get marker --print-value-only`)).toBe('before-backup\n');
    expect(await inEtcd(`${etcdctl} get written-after-backup --print-value-only`)).toBe('');
    expect(await kubectlOk(['delete', 'pod', 'etcd-utility-0', '-n', cluster])).toBe(
      'pod "etcd-utility-0" deleted\n',
    );
  });
});
