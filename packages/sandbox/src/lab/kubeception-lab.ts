import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { podStatusFromRuntime } from '../apiserver/controllers/pod-status-from-runtime.js';
import { type ApiServer, createApiServer } from '../apiserver/create-api-server.js';
import { findResourceTypeByKind } from '../apiserver/resource-types.js';
import type { KubeObject } from '../apiserver/storage/object-store.js';
import type { LabState } from '../runtime/lab-state.js';
import type { LabNetwork } from '../runtime/network/lab-network.js';
import { createPki, type Pki } from '../runtime/pki/create-pki.js';
import { writeKubeconfig } from '../runtime/pki/kubeconfig.js';
import type { BwrapPodRuntime } from '../runtime/pod/bwrap-pod-runtime.js';
import { SandboxError } from '../runtime/sandbox-error.js';
import { AliasingPodRuntime } from './aliasing-pod-runtime.js';
import { GatedProxy } from './gated-proxy.js';
import { kubeceptionManifests, kubeceptionUserClusterObjects } from './kubeception-manifests.js';
import { kubeceptionPkiPlan } from './kubeception-pki-plan.js';
import { labImages } from './lab-versions.js';
import type { SandboxOptions } from './sandbox-options.js';
import { readyNode, storeObjects } from './store-objects.js';

const podType = findResourceTypeByKind({ group: '', kind: 'Pod' })!;
const statefulSetType = findResourceTypeByKind({ group: 'apps', kind: 'StatefulSet' })!;

/** The pieces of a running Kubeception lab that the supervisor talks to. */
export interface KubeceptionLab {
  files: { adminKubeconfig: string; userKubeconfig: string; config: string };
  status(): Promise<{ lines: string[] }>;
  breakMembers(options: { members: number[] }): Promise<{ broken: number[] }>;
  stop(): Promise<void>;
}

/** What the lab's host layer already made (journal, network, pod runtime). */
export interface KubeceptionLabHost {
  state: LabState;
  network: LabNetwork;
  runtime: BwrapPodRuntime;
  log: (line: string) => void;
}

/**
 * Builds the Kubeception shape: an admin cluster (its etcd a real etcd pod, its API server simulated)
 * hosting, in namespace USER, the user cluster's etcd StatefulSet `kube-etcd` (real etcd members), its
 * API server StatefulSet, `gke-master-etcd-maintenance` and `kube-apiserver-pdb`; then the user cluster's
 * API server, whose objects live in `kube-etcd` and which answers only while `kube-apiserver` has a Ready
 * replica. Resolves when every pod is Ready.
 */
export async function buildKubeceptionLab(
  options: SandboxOptions,
  host: KubeceptionLabHost,
): Promise<KubeceptionLab> {
  const { dir } = options;
  const { network, log } = host;
  const namespace = options.userClusterName;
  const members = options.ha ? 3 : 1;
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => {});
  };
  try {
    const adminEtcdIp = network.addressFor('kube-system/etcd-admin-cp');
    const userEtcdIps = Array.from({ length: members }, (_, ordinal) =>
      network.addressFor(`${namespace}/kube-etcd-${ordinal}`),
    );
    userEtcdIps.forEach((ip, ordinal) => {
      // Peers must resolve each other before their pods first start, and while one is being replaced.
      network.setHostsEntry({
        key: `static:${namespace}/kube-etcd-${ordinal}`,
        ip,
        names: [`kube-etcd-${ordinal}.kube-etcd`, `kube-etcd-${ordinal}.kube-etcd.${namespace}.svc`],
      });
    });

    log('issuing certificates');
    const pkiDir = join(dir, 'pki');
    const pki = await createPki({
      directory: pkiDir,
      ...kubeceptionPkiPlan({ adminEtcdIp, userClusterName: namespace, userEtcdIps }),
    });
    const pem = (name: string, kind: 'crt' | 'key') => readFile(pkiFile(pki, name, kind), 'utf8');

    log('starting the admin cluster etcd');
    const runtime = new AliasingPodRuntime(host.runtime);
    const adminEtcdUid = randomUUID();
    const adminEtcdData = join(dir, 'admin-cp', 'etcd-data');
    await mkdir(adminEtcdData, { recursive: true, mode: 0o700 });
    const adminEtcdPod = adminEtcdPodSpec({
      uid: adminEtcdUid,
      ip: adminEtcdIp,
      pkiDir: join(pkiDir, 'admin-cp', 'etcd'),
      dataDir: adminEtcdData,
    });
    await runtime.runPod(adminEtcdPod);
    stops.push(() => runtime.killPod(adminEtcdUid, { gracePeriodSeconds: 2 }));

    const adminEtcdTls = {
      ca: await pem('admin-cp/etcd/ca', 'crt'),
      cert: await pem('admin-cp/apiserver-etcd-client', 'crt'),
      key: await pem('admin-cp/apiserver-etcd-client', 'key'),
    };
    await waitFor(
      'the admin etcd to answer',
      30_000,
      async () => runtime.podStatus(adminEtcdUid)?.containers[0]?.ready === true,
    );

    log('starting the admin API server');
    const adminNodes = ['admin-cp', 'admin-node-1', 'admin-node-2', 'admin-node-3'];
    const adminApi = await createApiServer({
      etcd: { endpoints: [`https://${adminEtcdIp}:2379`], tls: adminEtcdTls },
      tls: {
        cert: await pem('admin-cp/apiserver', 'crt'),
        key: await pem('admin-cp/apiserver', 'key'),
        clientCa: await pem('admin-cp/ca', 'crt'),
      },
      runtime,
      kubelet: { nodes: adminNodes.slice(1), dataDir: join(dir, 'admin-data') },
      onControllerError: (error) => log(`admin controller: ${(error as Error).message}`),
    });
    stops.push(() => adminApi.close());

    await storeObjects({
      store: adminApi.store,
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
        ...adminNodes.map((name) =>
          name === 'admin-cp'
            ? readyNode({
                name,
                ip: network.gateway,
                labels: { 'node-role.kubernetes.io/control-plane': '' },
                taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
              })
            : // Admin nodes that host a user cluster's control plane carry its name, which the runbook's
              // utility pod selects on.
              readyNode({
                name,
                ip: network.gateway,
                labels: { 'kubernetes.googleapis.com/cluster-name': namespace },
              }),
        ),
      ],
    });
    const mirror = await adminApi.store.create({
      type: podType,
      namespace: 'kube-system',
      object: mirrorPodObject({ spec: adminEtcdPod, nodeName: 'admin-cp' }),
    });
    runtime.alias({ apiUid: mirror.metadata!.uid!, runtimeUid: adminEtcdUid });
    const syncMirror = async () => {
      const current = await adminApi.store.get({
        type: podType,
        namespace: 'kube-system',
        name: 'etcd-admin-cp',
      });
      await adminApi.store.update({
        type: podType,
        namespace: 'kube-system',
        name: 'etcd-admin-cp',
        object: {
          ...current,
          status: podStatusFromRuntime({
            pod: current,
            runtimeStatus: runtime.podStatus(current.metadata!.uid!),
            hostIP: network.gateway,
          }),
        },
        subresource: 'status',
      });
    };
    await syncMirror();
    const unsubscribeMirror = runtime.onChange((uid) => {
      if (uid === mirror.metadata!.uid) void syncMirror().catch(() => {});
    });
    stops.push(async () => unsubscribeMirror());

    log(`creating the user cluster ${namespace} (${members} etcd member${members > 1 ? 's' : ''})`);
    const secretName = `kube-etcd-certs-${randomUUID().slice(0, 6)}`;
    const base64 = async (name: string, kind: 'crt' | 'key') =>
      Buffer.from(await pem(name, kind)).toString('base64');
    await storeObjects({
      store: adminApi.store,
      objects: kubeceptionManifests({
        userClusterName: namespace,
        ha: options.ha,
        etcdCertsSecretName: secretName,
        etcdCerts: {
          'etcdCA.crt': await base64('user/etcd/ca', 'crt'),
          'etcd.crt': await base64('user/etcd/etcd', 'crt'),
          'etcd.key': await base64('user/etcd/etcd', 'key'),
        },
        adminNodeNames: adminNodes.slice(1),
      }),
    });
    const expectedPods = 2 * members + 1;
    await waitFor(`every pod in namespace ${namespace} to be Ready`, 90_000, async () => {
      const { items } = await adminApi.store.list({ type: podType, namespace });
      return items.filter(isReady).length >= expectedPods;
    });

    log('starting the user API server');
    const userApi = await createApiServer({
      etcd: {
        endpoints: userEtcdIps.map((ip) => `https://${ip}:2379`),
        tls: {
          ca: await pem('user/etcd/ca', 'crt'),
          cert: await pem('user/apiserver-etcd-client', 'crt'),
          key: await pem('user/apiserver-etcd-client', 'key'),
        },
      },
      tls: {
        cert: await pem('user/apiserver', 'crt'),
        key: await pem('user/apiserver', 'key'),
        clientCa: await pem('user/ca', 'crt'),
      },
      onControllerError: (error) => log(`user controller: ${(error as Error).message}`),
    });
    stops.push(() => userApi.close());
    const gate = await GatedProxy.create({ target: { host: '127.0.0.1', port: userApi.port } });
    stops.push(() => gate.close());
    const gateLoop = startGateLoop({ adminApi, namespace, gate, log });
    stops.push(async () => gateLoop.stop());
    await storeObjects({
      store: userApi.store,
      objects: kubeceptionUserClusterObjects({ userClusterName: namespace }),
    });
    await storeObjects({
      store: userApi.store,
      objects: [1, 2, 3].map((index) =>
        readyNode({ name: `${namespace}-node-${index}`, ip: network.gateway }),
      ),
    });
    await waitFor('the user cluster API to open', 10_000, async () => gate.isOpen);

    log('writing kubeconfigs and etcd-dr.yaml');
    const files = {
      adminKubeconfig: join(dir, 'admin.kubeconfig'),
      userKubeconfig: join(dir, 'user.kubeconfig'),
      config: join(dir, 'etcd-dr.yaml'),
    };
    await writeKubeconfig({
      path: files.adminKubeconfig,
      clusterName: 'admin',
      server: adminApi.url,
      certificateAuthorityPath: pkiFile(pki, 'admin-cp/ca', 'crt'),
      credentials: {
        certificatePath: pkiFile(pki, 'admin-cp/admin', 'crt'),
        keyPath: pkiFile(pki, 'admin-cp/admin', 'key'),
      },
    });
    await writeKubeconfig({
      path: files.userKubeconfig,
      clusterName: namespace,
      server: `https://127.0.0.1:${gate.port}`,
      certificateAuthorityPath: pkiFile(pki, 'user/ca', 'crt'),
      credentials: {
        certificatePath: pkiFile(pki, 'user/admin', 'crt'),
        keyPath: pkiFile(pki, 'user/admin', 'key'),
      },
    });
    await writeFile(
      files.config,
      `# Written by etcd-dr sandbox up: the lab's clusters, for --config.\n${stringify({
        apiVersion: 'etcd-dr/v1',
        kind: 'ClusterConfig',
        adminCluster: { kubeconfig: 'admin.kubeconfig' },
        userCluster: { name: namespace, kubeconfig: 'user.kubeconfig', topology: 'kubeception' },
        etcdUtilImage: labImages.etcdUtil,
      })}`,
      { mode: 0o600 },
    );

    return {
      files,
      status: () => kubeceptionStatus({ adminApi, namespace, gate }),
      breakMembers: async ({ members: broken }) => {
        for (const member of broken) {
          if (member >= members) {
            throw new SandboxError({
              code: 'SANDBOX_POD_INVALID',
              message: `member ${member} does not exist: this lab's user etcd has ${members} member${members > 1 ? 's' : ''} (0${members > 1 ? `..${members - 1}` : ''})`,
              remedy: 'name existing members, e.g. --members 0',
            });
          }
        }
        for (const member of broken) {
          await corruptMemberData(join(dir, 'admin-data', 'pvc', namespace, `data-kube-etcd-${member}`));
          const pod = await adminApi.store.get({ type: podType, namespace, name: `kube-etcd-${member}` });
          // The process still holds the old database in memory; a disk failure is noticed at the next start.
          const session = runtime.exec({
            uid: pod.metadata!.uid!,
            container: 'kube-etcd',
            command: ['/bin/sh', '-c', 'kill -KILL -1'],
            tty: false,
          });
          session.stdin.end();
          session.stdout.resume();
          session.stderr.resume();
          await session.exit;
        }
        log(`broke members ${broken.join(', ')}`);
        return { broken };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function pkiFile(pki: Pki, name: string, kind: 'crt' | 'key'): string {
  const files = pki.leaves[name] ?? pki.authorities[name];
  if (!files) throw new Error(`no certificate ${name} in the lab PKI`);
  return kind === 'crt' ? files.certificatePath : files.keyPath;
}

function isReady(pod: KubeObject): boolean {
  const conditions =
    (pod.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? [];
  return conditions.some((condition) => condition.type === 'Ready' && condition.status === 'True');
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new SandboxError({
    code: 'SANDBOX_START_TIMEOUT',
    message: `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`,
    remedy: 'read the logs under the lab folder (logs/ and pods/*/logs/)',
  });
}

/** Overwrites the start of the member's bbolt file with garbage, as a failed disk returns. */
async function corruptMemberData(volume: string): Promise<void> {
  const file = await open(join(volume, 'member', 'snap', 'db'), 'r+');
  try {
    const garbage = Buffer.alloc(64 * 1024, 0xde);
    await file.write(garbage, 0, garbage.length, 0);
    await file.sync();
  } finally {
    await file.close();
  }
}

function adminEtcdPodSpec(options: { uid: string; ip: string; pkiDir: string; dataDir: string }) {
  const pki = '/etc/kubernetes/pki/etcd';
  return {
    uid: options.uid,
    namespace: 'kube-system',
    name: 'etcd-admin-cp',
    hostname: 'admin-cp',
    restartPolicy: 'Always' as const,
    network: { kind: 'own' as const },
    volumes: [
      { name: 'etcd-data', hostPath: options.dataDir },
      { name: 'etcd-certs', hostPath: options.pkiDir, readOnly: true },
    ],
    containers: [
      {
        name: 'etcd',
        image: labImages.etcd,
        command: [
          'etcd',
          '--name=admin-cp',
          '--data-dir=/var/lib/etcd',
          `--listen-client-urls=https://127.0.0.1:2379,https://${options.ip}:2379`,
          `--advertise-client-urls=https://${options.ip}:2379`,
          `--listen-peer-urls=https://${options.ip}:2380`,
          `--initial-advertise-peer-urls=https://${options.ip}:2380`,
          `--initial-cluster=admin-cp=https://${options.ip}:2380`,
          '--client-cert-auth',
          `--trusted-ca-file=${pki}/ca.crt`,
          `--cert-file=${pki}/server.crt`,
          `--key-file=${pki}/server.key`,
          '--peer-client-cert-auth',
          `--peer-trusted-ca-file=${pki}/ca.crt`,
          `--peer-cert-file=${pki}/peer.crt`,
          `--peer-key-file=${pki}/peer.key`,
          '--snapshot-count=10000',
        ],
        volumeMounts: [
          { name: 'etcd-data', mountPath: '/var/lib/etcd' },
          { name: 'etcd-certs', mountPath: pki, readOnly: true },
        ],
        readinessProbe: { tcpSocket: { port: 2379 }, periodSeconds: 2 },
      },
    ],
  };
}

function mirrorPodObject(options: {
  spec: ReturnType<typeof adminEtcdPodSpec>;
  nodeName: string;
}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: options.spec.name,
      namespace: options.spec.namespace,
      labels: { component: 'etcd', tier: 'control-plane' },
      annotations: { 'kubernetes.io/config.mirror': options.spec.uid, 'kubernetes.io/config.source': 'file' },
    },
    spec: {
      nodeName: options.nodeName,
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      containers: options.spec.containers.map((container) => ({
        name: container.name,
        image: container.image,
        command: container.command,
        volumeMounts: container.volumeMounts,
      })),
      volumes: options.spec.volumes.map((volume) => ({
        name: volume.name,
        hostPath: {
          path: volume.name === 'etcd-data' ? '/var/lib/etcd' : '/etc/kubernetes/pki/etcd',
          type: 'DirectoryOrCreate',
        },
      })),
    },
  };
}

function startGateLoop(options: {
  adminApi: ApiServer;
  namespace: string;
  gate: GatedProxy;
  log: (line: string) => void;
}) {
  let stopped = false;
  const tick = async () => {
    const statefulSet = await options.adminApi.store.get({
      type: statefulSetType,
      namespace: options.namespace,
      name: 'kube-apiserver',
    });
    const ready = ((statefulSet.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0) > 0;
    if (ready && !options.gate.isOpen) {
      await options.gate.open();
      options.log('user cluster API up');
    } else if (!ready && options.gate.isOpen) {
      await options.gate.close();
      options.log('user cluster API down: kube-apiserver has no Ready replica');
    }
  };
  const timer = setInterval(() => {
    if (!stopped) void tick().catch(() => {});
  }, 300);
  void tick().catch(() => {});
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

async function kubeceptionStatus(options: {
  adminApi: ApiServer;
  namespace: string;
  gate: GatedProxy;
}): Promise<{ lines: string[] }> {
  const lines = [
    `user cluster API: ${options.gate.isOpen ? `up on 127.0.0.1:${options.gate.port}` : 'down'}`,
  ];
  for (const namespace of ['kube-system', options.namespace]) {
    const { items } = await options.adminApi.store.list({ type: podType, namespace });
    for (const pod of items) {
      const status = (pod.status ?? {}) as {
        phase?: string;
        containerStatuses?: Array<{ restartCount?: number; state?: Record<string, { reason?: string }> }>;
      };
      const container = status.containerStatuses?.[0];
      const waiting = container?.state?.waiting?.reason;
      lines.push(
        `${namespace}/${pod.metadata!.name}: ${waiting ?? status.phase ?? 'Pending'}${isReady(pod) ? ', Ready' : ''}, restarts ${container?.restartCount ?? 0}`,
      );
    }
  }
  return { lines };
}
