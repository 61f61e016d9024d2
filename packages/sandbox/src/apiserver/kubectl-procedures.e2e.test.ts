import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { kubeceptionFixtureYaml, utilityPodYaml } from './test-support/kubeception-fixture.js';
import { startTestApiServer, type TestApiServer, waitFor } from './test-support/start-test-api-server.js';

const cluster = 'user1';
let lab: TestApiServer;

const podUid = async (name: string): Promise<string> =>
  lab.kubectlOk(['get', 'pod', '-n', cluster, name, '-o', 'jsonpath={.metadata.uid}']);
const runningPods = async (selector: string): Promise<string[]> => {
  const text = await lab.kubectlOk([
    'get',
    'pods',
    '-n',
    cluster,
    '-l',
    selector,
    '-o',
    'jsonpath={range .items[*]}{.metadata.name}={.status.phase}{"\\n"}{end}',
  ]);
  return text
    .split('\n')
    .filter((line) => line.endsWith('=Running'))
    .map((line) => line.split('=')[0]!)
    .sort();
};

beforeAll(async () => {
  lab = await startTestApiServer();
  await lab.kubectlOk(['apply', '-f', '-'], { stdin: kubeceptionFixtureYaml({ cluster }) });
  const readyReplicas = (name: string) =>
    lab.kubectlOk(['get', 'statefulset', name, '-n', cluster, '-o', 'jsonpath={.status.readyReplicas}']);
  await waitFor(
    async () => (await readyReplicas('kube-etcd')) === '1' && (await readyReplicas('kube-apiserver')) === '3',
    30_000,
    'fixture pods ready',
  );
});

afterAll(async () => {
  await lab?.close();
});

describe('the real kubectl against the simulated API server, for every call the procedures make', () => {
  it('lists pods by label with -o jsonpath and -o wide', async () => {
    const names = await lab.kubectlOk([
      'get',
      'pods',
      '-n',
      cluster,
      '-l',
      'app=etcd',
      '-o',
      'jsonpath={.items[*].metadata.name}',
    ]);
    expect(names).toBe('kube-etcd-0');
    const wide = await lab.kubectlOk([
      'get',
      'pods',
      '-n',
      cluster,
      '-l',
      'app in (kube-apiserver)',
      '-o',
      'wide',
    ]);
    const [header, ...rows] = wide.trim().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual([
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
      'NOMINATED NODE',
      'READINESS GATES',
    ]);
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual([
      'kube-apiserver-0',
      'kube-apiserver-1',
      'kube-apiserver-2',
    ]);
    expect(
      rows.every((row) =>
        /1\/1\s+Running\s+0\s+\S+\s+\d+\.\d+\.\d+\.\d+\s+node1\s+<none>\s+<none>/.test(row),
      ),
    ).toBe(true);
    const nodeName = await lab.kubectlOk([
      'get',
      'pod',
      'kube-etcd-0',
      '-n',
      cluster,
      '-o',
      'jsonpath={.spec.nodeName}',
    ]);
    expect(nodeName).toBe('node1');
    expect(
      await lab.kubectlOk(['get', 'pod', 'kube-etcd-0', '-n', cluster, '-o', 'jsonpath={.status.hostIP}']),
    ).toBe('127.0.0.1');
    expect(await lab.kubectlOk(['get', 'pods', '-n', cluster, '-l', '!app', '-o', 'name'])).toBe('');
    expect(
      (
        await lab.kubectlOk([
          'get',
          'pods',
          '-n',
          cluster,
          '-l',
          'app!=etcd,app notin (gke-master-etcd-maintenance)',
          '-o',
          'name',
        ])
      )
        .trim()
        .split('\n'),
    ).toHaveLength(3);
  });

  it('lists secrets and finds the kube-etcd-certs secret', async () => {
    const table = await lab.kubectlOk(['get', 'secrets', '-n', cluster]);
    expect(table).toMatch(/^NAME\s+TYPE\s+DATA\s+AGE\n/);
    expect(table).toMatch(/kube-etcd-certs-x7k2p\s+Opaque\s+3\s+/);
    const names = await lab.kubectlOk([
      'get',
      'secrets',
      '-n',
      cluster,
      '-o',
      'jsonpath={.items[*].metadata.name}',
    ]);
    expect(names.split(' ').filter((name) => name.startsWith('kube-etcd-certs'))).toEqual([
      'kube-etcd-certs-x7k2p',
    ]);
  });

  it('creates the utility pod with create -f: scheduled on the named node, Secret files with mode 0644, the PVC directory', async () => {
    const manifest = utilityPodYaml({
      cluster,
      member: 0,
      node: 'node1',
      version: '1.28.0-gke.1',
      secret: 'kube-etcd-certs-x7k2p',
    });
    expect(await lab.kubectlOk(['create', '-f', '-'], { stdin: manifest })).toBe(
      'pod/etcd-utility-0 created\n',
    );
    await waitFor(
      async () => (await runningPods('!app')).includes('etcd-utility-0'),
      20_000,
      'utility pod running',
    );
    const uid = await podUid('etcd-utility-0');
    const certificate = path.join(lab.directory, 'kubelet', 'pod-volumes', uid, 'etcd-certs', 'etcd.crt');
    expect(await readFile(certificate, 'utf8')).toBe('test-cert');
    expect((await stat(certificate)).mode & 0o777).toBe(0o644);
    expect(
      (await stat(path.join(lab.directory, 'kubelet', 'pvc', cluster, 'data-kube-etcd-0'))).isDirectory(),
    ).toBe(true);
    const again = await lab.kubectl(['create', '-f', '-'], { stdin: manifest });
    expect(again.exitCode).not.toBe(0);
    expect(again.stderr).toContain(
      'Error from server (AlreadyExists): error when creating "STDIN": pods "etcd-utility-0" already exists',
    );
  });

  it('applies the utility pod manifest with apply -f (create, then unchanged), and deletes pods', async () => {
    const manifest = utilityPodYaml({
      cluster,
      member: 1,
      node: 'node1',
      version: '1.28.0-gke.1',
      secret: 'kube-etcd-certs-x7k2p',
    });
    const file = path.join(lab.directory, 'etcd-utility-1.yaml');
    await writeFile(file, manifest);
    expect(await lab.kubectlOk(['apply', '-f', file])).toBe('pod/etcd-utility-1 created\n');
    expect(await lab.kubectlOk(['apply', '-f', file])).toBe('pod/etcd-utility-1 unchanged\n');
    const annotation = await lab.kubectlOk([
      'get',
      'pod',
      'etcd-utility-1',
      '-n',
      cluster,
      '-o',
      'jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}',
    ]);
    expect(JSON.parse(annotation).spec.volumes[0].persistentVolumeClaim.claimName).toBe('data-kube-etcd-1');
    for (const name of ['etcd-utility-0', 'etcd-utility-1']) {
      const uid = await podUid(name);
      expect(await lab.kubectlOk(['delete', 'pod', name, '-n', cluster])).toBe(`pod "${name}" deleted\n`);
      const gone = await lab.kubectl(['get', 'pod', name, '-n', cluster]);
      expect(gone.stderr).toBe(`Error from server (NotFound): pods "${name}" not found\n`);
      expect(existsSync(path.join(lab.directory, 'kubelet', 'pod-volumes', uid))).toBe(false);
    }
  });

  it('recreates a deleted StatefulSet pod with a new uid and keeps its PVC', async () => {
    const before = await podUid('kube-etcd-0');
    await lab.kubectlOk(['delete', 'pod', 'kube-etcd-0', '-n', cluster]);
    const after = await waitFor(
      async () => {
        const uid = await podUid('kube-etcd-0').catch(() => '');
        return uid && uid !== before && (await runningPods('app=etcd')).includes('kube-etcd-0')
          ? uid
          : undefined;
      },
      20_000,
      'kube-etcd-0 recreated',
    );
    expect(after).not.toBe(before);
    expect(
      await lab.kubectlOk([
        'get',
        'pvc',
        'data-kube-etcd-0',
        '-n',
        cluster,
        '-o',
        'jsonpath={.status.phase}',
      ]),
    ).toBe('Bound');
  });

  it('scales the StatefulSet and the Deployment to 0 and back', async () => {
    expect(
      await lab.kubectlOk(['scale', 'statefulset', 'kube-apiserver', '-n', cluster, '--replicas=0']),
    ).toBe('statefulset.apps/kube-apiserver scaled\n');
    expect(
      await lab.kubectlOk([
        'scale',
        'deployment',
        'gke-master-etcd-maintenance',
        '-n',
        cluster,
        '--replicas=0',
      ]),
    ).toBe('deployment.apps/gke-master-etcd-maintenance scaled\n');
    await waitFor(
      async () =>
        (await lab.kubectlOk([
          'get',
          'pods',
          '-n',
          cluster,
          '-l',
          'app in (kube-apiserver,gke-master-etcd-maintenance)',
          '-o',
          'name',
        ])) === '',
      20_000,
      'scaled to 0',
    );
    await lab.kubectlOk(['scale', 'statefulset', 'kube-apiserver', '-n', cluster, '--replicas=3']);
    await lab.kubectlOk([
      'scale',
      'deployment',
      'gke-master-etcd-maintenance',
      '-n',
      cluster,
      '--replicas=1',
    ]);
    await waitFor(
      async () => (await runningPods('app=kube-apiserver')).length === 3,
      20_000,
      'apiserver back',
    );
    expect(await runningPods('app=kube-apiserver')).toEqual([
      'kube-apiserver-0',
      'kube-apiserver-1',
      'kube-apiserver-2',
    ]);
    const maintenance = await waitFor(
      async () => {
        const pods = await runningPods('app=gke-master-etcd-maintenance');
        return pods.length === 1 ? pods : undefined;
      },
      20_000,
      'maintenance back',
    );
    expect(maintenance[0]).toMatch(/^gke-master-etcd-maintenance-[0-9a-f]{10}-[a-z0-9]{5}$/);
    await waitFor(
      async () =>
        (await lab.kubectlOk([
          'get',
          'statefulset',
          'kube-apiserver',
          '-n',
          cluster,
          '-o',
          'jsonpath={.status.readyReplicas}',
        ])) === '3',
      20_000,
      'kube-apiserver readyReplicas 3',
    );
  });

  it('restarts the StatefulSet with rollout restart: every pod replaced, rollout status completes', async () => {
    const before = await podUid('kube-etcd-0');
    expect(await lab.kubectlOk(['rollout', 'restart', 'statefulset', 'kube-etcd', '-n', cluster])).toBe(
      'statefulset.apps/kube-etcd restarted\n',
    );
    const restartedAt = await lab.kubectlOk([
      'get',
      'statefulset',
      'kube-etcd',
      '-n',
      cluster,
      '-o',
      'jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}',
    ]);
    expect(Date.parse(restartedAt)).toBeGreaterThan(Date.now() - 60_000);
    const status = await lab.kubectl([
      'rollout',
      'status',
      'statefulset',
      'kube-etcd',
      '-n',
      cluster,
      '--timeout=30s',
    ]);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain('roll out complete');
    expect(await podUid('kube-etcd-0')).not.toBe(before);
  });

  it('saves the PDB as YAML, deletes it and re-creates it from the stripped copy', async () => {
    await waitFor(
      async () =>
        /kube-apiserver-pdb\s+N\/A\s+1\s+1\s+/.test(await lab.kubectlOk(['get', 'pdb', '-n', cluster])),
      10_000,
      'one allowed disruption with three ready kube-apiserver pods',
    );
    const saved = await lab.kubectlOk(['get', 'pdb', 'kube-apiserver-pdb', '-n', cluster, '-o', 'yaml']);
    const object = parse(saved);
    expect(object).toMatchObject({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      spec: { maxUnavailable: 1 },
    });
    expect(await lab.kubectlOk(['delete', 'pdb', 'kube-apiserver-pdb', '-n', cluster])).toBe(
      'poddisruptionbudget.policy "kube-apiserver-pdb" deleted\n',
    );
    for (const field of ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation'])
      delete object.metadata[field];
    delete object.status;
    const stripped = path.join(lab.directory, 'pdb.yaml');
    await writeFile(stripped, stringify(object));
    expect(await lab.kubectlOk(['apply', '-f', stripped])).toBe(
      'poddisruptionbudget.policy/kube-apiserver-pdb created\n',
    );
    expect(
      await lab.kubectlOk([
        'get',
        'pdb',
        '-n',
        cluster,
        '-o',
        'jsonpath={.items[*].spec.selector.matchLabels.app}',
      ]),
    ).toBe('kube-apiserver');
  });

  it('reads enableControlplaneV2 from the OnPremUserCluster', async () => {
    const value = await lab.kubectlOk([
      'get',
      'onpremuserclusters',
      '-n',
      'kube-system',
      '-o',
      'jsonpath={.items[0].spec.enableControlplaneV2}',
    ]);
    expect(value).toBe('false');
  });

  it('creates and reads a configmap', async () => {
    expect(
      await lab.kubectlOk([
        'create',
        'configmap',
        'drill-marker',
        '-n',
        'default',
        '--from-literal=written=before-backup',
      ]),
    ).toBe('configmap/drill-marker created\n');
    expect(
      await lab.kubectlOk([
        'get',
        'configmap',
        'drill-marker',
        '-n',
        'default',
        '-o',
        'jsonpath={.data.written}',
      ]),
    ).toBe('before-backup');
    expect(await lab.kubectlOk(['get', 'configmap', '-n', 'default'])).toMatch(/drill-marker\s+1\s+\S+/);
  });

  it('answers unknown kinds and missing objects like the real server', async () => {
    const unknown = await lab.kubectl(['get', 'widgets']);
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr).toContain('the server doesn\'t have a resource type "widgets"');
    const missingNamespace = await lab.kubectl(['create', 'configmap', 'x', '-n', 'nowhere']);
    expect(missingNamespace.stderr).toBe(
      'error: failed to create configmap: namespaces "nowhere" not found\n',
    );
  });
});
