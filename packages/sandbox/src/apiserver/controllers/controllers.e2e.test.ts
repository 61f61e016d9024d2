import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer, type TestApiServer, waitFor } from '../test-support/start-test-api-server.js';

const run = promisify(execFile);
let lab: TestApiServer;

const jsonpath = (args: string[], path: string): Promise<string> =>
  lab.kubectlOk([...args, '-o', `jsonpath=${path}`]);
const podNames = async (selector: string): Promise<string[]> =>
  (await jsonpath(['get', 'pods', '-l', selector], '{.items[*].metadata.name}'))
    .split(' ')
    .filter(Boolean)
    .sort();

const statefulSet = (replicas: number) => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: default}
spec:
  replicas: ${replicas}
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - {name: db, image: etcd-dr-lab/db:1, command: [sleep, "3600"], volumeMounts: [{name: data, mountPath: /data}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`;

beforeAll(async () => {
  lab = await startTestApiServer();
});

afterAll(async () => {
  await lab?.close();
});

describe('controllers and kubelet glue', () => {
  it('creates StatefulSet pods by ordinal with hostname/subdomain and claims that outlive scale-down', async () => {
    await lab.kubectlOk(['apply', '-f', '-'], { stdin: statefulSet(3) });
    await waitFor(
      async () => (await jsonpath(['get', 'sts', 'db'], '{.status.readyReplicas}')) === '3',
      20_000,
      'three ready',
    );
    expect(await podNames('app=db')).toEqual(['db-0', 'db-1', 'db-2']);
    expect(
      await jsonpath(
        ['get', 'pod', 'db-1'],
        '{.spec.hostname} {.spec.subdomain} {.metadata.labels.statefulset\\.kubernetes\\.io/pod-name}',
      ),
    ).toBe('db-1 db db-1');
    expect(
      await jsonpath(
        ['get', 'pod', 'db-2'],
        '{.spec.volumes[?(@.name=="data")].persistentVolumeClaim.claimName}',
      ),
    ).toBe('data-db-2');
    const claimUid = await jsonpath(['get', 'pvc', 'data-db-2'], '{.metadata.uid}');
    await lab.kubectlOk(['scale', 'sts', 'db', '--replicas=1']);
    await waitFor(async () => (await podNames('app=db')).join() === 'db-0', 20_000, 'scaled down to db-0');
    expect((await jsonpath(['get', 'pvc'], '{.items[*].metadata.name}')).split(' ').sort()).toEqual([
      'data-db-0',
      'data-db-1',
      'data-db-2',
    ]);
    await lab.kubectlOk(['scale', 'sts', 'db', '--replicas=3']);
    await waitFor(
      async () => (await jsonpath(['get', 'sts', 'db'], '{.status.readyReplicas}')) === '3',
      20_000,
      'scaled up again',
    );
    expect(await jsonpath(['get', 'pvc', 'data-db-2'], '{.metadata.uid}')).toBe(claimUid);
  });

  it("deletes a StatefulSet's pods with it and keeps the claims", async () => {
    expect(await lab.kubectlOk(['delete', 'sts', 'db'])).toBe('statefulset.apps "db" deleted\n');
    await waitFor(async () => (await podNames('app=db')).length === 0, 20_000, 'pods gone');
    expect((await jsonpath(['get', 'pvc'], '{.items[*].metadata.name}')).split(' ')).toHaveLength(3);
  });

  it('reports restarts and CrashLoopBackOff for a crashing container', async () => {
    await lab.kubectlOk([
      'run',
      'crasher',
      '--image=etcd-dr-lab/crasher:1',
      '--command',
      '--',
      'sh',
      '-c',
      'echo dying; exit 1',
    ]);
    const seen = new Set<string>();
    await waitFor(
      async () => {
        const table = await lab.kubectlOk(['get', 'pod', 'crasher', '--no-headers']);
        seen.add(table.split(/\s+/)[2]!);
        return (
          seen.has('CrashLoopBackOff') &&
          Number(await jsonpath(['get', 'pod', 'crasher'], '{.status.containerStatuses[0].restartCount}')) >=
            2
        );
      },
      20_000,
      'crash loop',
    );
    expect(await jsonpath(['get', 'pod', 'crasher'], '{.status.conditions[?(@.type=="Ready")].status}')).toBe(
      'False',
    );
    expect(await lab.kubectlOk(['logs', 'crasher', '--previous'])).toBe('dying\n');
  });

  it('leaves pods whose node selector fits no node Pending and Unschedulable', async () => {
    await lab.kubectlOk([
      'run',
      'homeless',
      '--image=etcd-dr-lab/x:1',
      '--overrides={"spec":{"nodeSelector":{"kubernetes.io/hostname":"node9"}}}',
      '--command',
      '--',
      'sleep',
      '60',
    ]);
    const reason = await waitFor(
      async () =>
        jsonpath(['get', 'pod', 'homeless'], '{.status.conditions[?(@.type=="PodScheduled")].reason}'),
      10_000,
      'unschedulable',
    );
    expect(reason).toBe('Unschedulable');
    expect(await jsonpath(['get', 'pod', 'homeless'], '{.status.phase}')).toBe('Pending');
  });

  it('waits for a missing Secret volume, then starts the pod once the Secret exists', async () => {
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: needs-secret, namespace: default}
spec:
  containers: [{name: c, image: etcd-dr-lab/x:1, command: [sleep, "3600"], volumeMounts: [{name: s, mountPath: /s}]}]
  volumes: [{name: s, secret: {secretName: late}}]
`;
    await lab.kubectlOk(['create', '-f', '-'], { stdin: pod });
    const waiting = await waitFor(
      async () =>
        jsonpath(['get', 'pod', 'needs-secret'], '{.status.containerStatuses[0].state.waiting.message}'),
      10_000,
      'waiting',
    );
    expect(waiting).toBe('MountVolume.SetUp failed: secret "late" not found');
    await lab.kubectlOk(['create', 'secret', 'generic', 'late', '--from-literal=k=v']);
    await waitFor(
      async () => (await jsonpath(['get', 'pod', 'needs-secret'], '{.status.phase}')) === 'Running',
      20_000,
      'running',
    );
  });

  it('kills a pod whose object vanished from etcd behind the API server (as after a restore)', async () => {
    const uid = await jsonpath(['get', 'pod', 'needs-secret'], '{.metadata.uid}');
    expect(lab.runtime.podStatus(uid)?.phase).toBe('Running');
    await run(
      'etcdctl',
      [`--endpoints=${lab.etcd.clientUrl}`, 'del', '/registry/pods/default/needs-secret'],
      { env: { ...process.env, ETCDCTL_API: '3' } },
    );
    await waitFor(async () => lab.runtime.podStatus(uid) === undefined, 10_000, 'pod killed');
  });

  it('reports a pod the runtime cannot start as CreateContainerError and retries it with back-off', async () => {
    const runPod = lab.runtime.runPod.bind(lab.runtime);
    let attempts = 0;
    lab.runtime.runPod = async (spec) => {
      if (spec.name !== 'unlucky') return runPod(spec);
      attempts++;
      if (attempts < 3) throw new Error('netns edr0000-unlucky: RTNETLINK answers: File exists');
      return runPod(spec);
    };
    try {
      await lab.kubectlOk(['run', 'unlucky', '--image=etcd-dr-lab/x:1', '--command', '--', 'sleep', '3600']);
      const message = await waitFor(
        async () => {
          const text = await jsonpath(
            ['get', 'pod', 'unlucky'],
            '{.status.containerStatuses[0].state.waiting.reason}: {.status.containerStatuses[0].state.waiting.message}',
          );
          return text.startsWith('CreateContainerError') ? text : undefined;
        },
        10_000,
        'CreateContainerError',
      );
      expect(message).toBe('CreateContainerError: netns edr0000-unlucky: RTNETLINK answers: File exists');
      await waitFor(
        async () => (await jsonpath(['get', 'pod', 'unlucky'], '{.status.phase}')) === 'Running',
        20_000,
        'running after retries',
      );
      expect(attempts).toBe(3);
    } finally {
      lab.runtime.runPod = runPod;
    }
  });

  it('deletes a namespace through Terminating: content first (pods gracefully), then the namespace', async () => {
    await lab.kubectlOk(['create', 'namespace', 'doomed']);
    await lab.kubectlOk(['create', 'configmap', 'inside', '-n', 'doomed']);
    await lab.kubectlOk([
      'run',
      'tenant',
      '-n',
      'doomed',
      '--image=etcd-dr-lab/x:1',
      '--command',
      '--',
      'sleep',
      '3600',
    ]);
    await waitFor(
      async () => (await jsonpath(['get', 'pod', 'tenant', '-n', 'doomed'], '{.status.phase}')) === 'Running',
      20_000,
      'tenant running',
    );
    const uid = await jsonpath(['get', 'pod', 'tenant', '-n', 'doomed'], '{.metadata.uid}');
    expect(await lab.kubectlOk(['delete', 'namespace', 'doomed', '--timeout=30s'])).toBe(
      'namespace "doomed" deleted\n',
    );
    expect((await lab.kubectl(['get', 'namespace', 'doomed'])).stderr).toContain(
      'namespaces "doomed" not found',
    );
    expect(lab.runtime.podStatus(uid)).toBeUndefined();
    expect(
      (
        await run(
          'etcdctl',
          [
            `--endpoints=${lab.etcd.clientUrl}`,
            'get',
            '--prefix',
            '--keys-only',
            '/registry/configmaps/doomed/',
          ],
          { env: { ...process.env, ETCDCTL_API: '3' } },
        )
      ).stdout,
    ).toBe('');
  });
});
