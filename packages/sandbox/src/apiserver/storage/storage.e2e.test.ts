import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer } from '../create-api-server.js';
import { apiRequest } from '../test-support/api-request.js';
import { kubeceptionFixtureYaml } from '../test-support/kubeception-fixture.js';
import { startTestApiServer, type TestApiServer, waitFor } from '../test-support/start-test-api-server.js';
import { startTestEtcd } from '../test-support/start-test-etcd.js';

const run = promisify(execFile);
let lab: TestApiServer;

async function etcdctl(endpoint: string, args: string[]): Promise<string> {
  const tls = endpoint.startsWith('https')
    ? [
        `--cacert=${lab.pki.files.ca}`,
        `--cert=${lab.pki.files.clientCert}`,
        `--key=${lab.pki.files.clientKey}`,
      ]
    : [];
  const { stdout } = await run('etcdctl', [`--endpoints=${endpoint}`, ...tls, ...args], {
    env: { ...process.env, ETCDCTL_API: '3' },
  });
  return stdout;
}

const api = (options: {
  method?: string;
  path: string;
  body?: unknown;
  contentType?: string;
  token?: string | null;
}) =>
  apiRequest({
    url: lab.server.url,
    ca: lab.pki.ca,
    token: options.token === null ? undefined : (options.token ?? lab.token),
    method: options.method,
    path: options.path,
    body: options.body,
    contentType: options.contentType,
  });

beforeAll(async () => {
  lab = await startTestApiServer({ etcdTls: true });
  await lab.kubectlOk(['apply', '-f', '-'], { stdin: kubeceptionFixtureYaml({ cluster: 'user1' }) });
  await waitFor(
    async () => (await lab.kubectlOk(['get', 'pods', '-n', 'user1', '-o', 'name'])).split('\n').length >= 5,
    20_000,
    'pods',
  );
});

afterAll(async () => {
  await lab?.close();
});

describe('storage in a real etcd (client TLS) under the real apiserver keys', () => {
  it('writes every kind under its /registry key as JSON', async () => {
    const keys = (await etcdctl(lab.etcd.clientUrl, ['get', '/registry/', '--prefix', '--keys-only']))
      .split('\n')
      .filter(Boolean);
    expect(keys).toEqual(
      expect.arrayContaining([
        '/registry/namespaces/user1',
        '/registry/minions/node1',
        '/registry/secrets/user1/kube-etcd-certs-x7k2p',
        '/registry/services/specs/user1/kube-etcd',
        '/registry/statefulsets/user1/kube-etcd',
        '/registry/deployments/user1/gke-master-etcd-maintenance',
        '/registry/poddisruptionbudgets/user1/kube-apiserver-pdb',
        '/registry/persistentvolumeclaims/user1/data-kube-etcd-0',
        '/registry/pods/user1/kube-etcd-0',
        '/registry/onprem.cluster.gke.io/onpremuserclusters/kube-system/user1',
      ]),
    );
    const stored = JSON.parse(
      await etcdctl(lab.etcd.clientUrl, [
        'get',
        '/registry/statefulsets/user1/kube-etcd',
        '--print-value-only',
      ]),
    );
    expect(stored).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'kube-etcd', namespace: 'user1' },
    });
    expect(stored.metadata.resourceVersion).toBeUndefined();
  });

  it('uses the etcd mod revision as resourceVersion and the header revision for lists', async () => {
    await lab.kubectlOk(['create', 'configmap', 'revision-probe', '-n', 'default', '--from-literal=a=1']);
    const got = await api({ path: '/api/v1/namespaces/default/configmaps/revision-probe' });
    const raw = JSON.parse(
      await etcdctl(lab.etcd.clientUrl, ['get', '/registry/configmaps/default/revision-probe', '-w', 'json']),
    );
    expect(got.body.metadata.resourceVersion).toBe(String(raw.kvs[0].mod_revision));
    const list = await api({ path: '/api/v1/namespaces/default/configmaps' });
    const header = JSON.parse(
      await etcdctl(lab.etcd.clientUrl, [
        'get',
        '/registry/configmaps/',
        '--prefix',
        '--keys-only',
        '-w',
        'json',
      ]),
    );
    expect(Number(list.body.metadata.resourceVersion)).toBeLessThanOrEqual(header.header.revision);
    expect(Number(list.body.metadata.resourceVersion)).toBeGreaterThanOrEqual(raw.kvs[0].mod_revision);
  });

  it('refuses an update carrying a stale resourceVersion with 409 Conflict', async () => {
    const current = (await api({ path: '/api/v1/namespaces/default/configmaps/revision-probe' })).body;
    const first = await api({
      method: 'PUT',
      path: '/api/v1/namespaces/default/configmaps/revision-probe',
      body: { ...current, data: { a: '2' } },
    });
    expect(first.status).toBe(200);
    expect(Number(first.body.metadata.resourceVersion)).toBeGreaterThan(
      Number(current.metadata.resourceVersion),
    );
    const stale = await api({
      method: 'PUT',
      path: '/api/v1/namespaces/default/configmaps/revision-probe',
      body: { ...current, data: { a: '3' } },
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      message:
        'Operation cannot be fulfilled on configmaps "revision-probe": the object has been modified; please apply your changes to the latest version and try again',
    });
    expect(await lab.kubectlOk(['get', 'configmap', 'revision-probe', '-o', 'jsonpath={.data.a}'])).toBe('2');
  });

  it('fails over to the next etcd endpoint when the first is dead', async () => {
    const server = await createApiServer({
      etcd: {
        endpoints: ['https://127.0.0.1:1', lab.etcd.clientUrl],
        tls: { ca: lab.pki.ca, cert: lab.pki.clientCert, key: lab.pki.clientKey },
        timeoutMs: 5000,
      },
      tls: { cert: lab.pki.serverCert, key: lab.pki.serverKey, clientCa: lab.pki.ca },
      tokens: [lab.token],
      controllers: false,
    });
    try {
      const answer = await apiRequest({
        url: server.url,
        ca: lab.pki.ca,
        token: lab.token,
        path: '/api/v1/namespaces/default/configmaps/revision-probe',
      });
      expect(answer.status).toBe(200);
      expect(answer.body.data).toEqual({ a: '2' });
    } finally {
      await server.close();
    }
  });

  it('authenticates with client certificates or bearer tokens, 401 otherwise', async () => {
    const anonymous = await api({ path: '/api/v1/namespaces', token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect((await api({ path: '/api/v1/namespaces', token: 'wrong' })).status).toBe(401);
    expect((await api({ path: '/api/v1/namespaces' })).status).toBe(200);
    expect((await api({ path: '/version', token: null })).body.gitVersion).toMatch(/^v1\.32\./);
    expect((await api({ path: '/readyz', token: null })).text).toBe('ok');
  });

  it('rolls objects back when etcd is restored from a snapshot', async () => {
    await lab.kubectlOk(['create', 'configmap', 'before-snapshot', '-n', 'default', '--from-literal=k=v']);
    const snapshot = path.join(lab.directory, 'snapshot.db');
    await etcdctl(lab.etcd.clientUrl, ['snapshot', 'save', snapshot]);
    await lab.kubectlOk(['create', 'configmap', 'after-snapshot', '-n', 'default', '--from-literal=k=v']);
    await lab.kubectlOk(['delete', 'configmap', 'before-snapshot', '-n', 'default']);
    const restoredDir = path.join(lab.directory, 'restored');
    await run(
      'etcdctl',
      [
        'snapshot',
        'restore',
        snapshot,
        '--name',
        'test',
        '--initial-cluster',
        'test=http://127.0.0.1:2380',
        '--initial-advertise-peer-urls',
        'http://127.0.0.1:2380',
        `--data-dir=${restoredDir}`,
      ],
      { env: { ...process.env, ETCDCTL_API: '3' } },
    );
    const restored = await startTestEtcd({
      directory: path.join(lab.directory, 'restored-etcd'),
      dataDir: restoredDir,
    });
    const server = await createApiServer({
      etcd: { endpoints: [restored.clientUrl] },
      tls: { cert: lab.pki.serverCert, key: lab.pki.serverKey, clientCa: lab.pki.ca },
      tokens: [lab.token],
      controllers: false,
    });
    try {
      const get = (name: string) =>
        apiRequest({
          url: server.url,
          ca: lab.pki.ca,
          token: lab.token,
          path: `/api/v1/namespaces/default/configmaps/${name}`,
        });
      expect((await get('before-snapshot')).status).toBe(200);
      expect((await get('after-snapshot')).body).toMatchObject({
        reason: 'NotFound',
        message: 'configmaps "after-snapshot" not found',
        code: 404,
      });
    } finally {
      await server.close();
      await restored.stop();
    }
  });

  it('answers 504 "etcdserver: request timed out" while etcd is down', async () => {
    await lab.etcd.stop();
    const started = Date.now();
    const answer = await api({ path: '/api/v1/namespaces/default/configmaps' });
    expect(answer.status).toBe(504);
    expect(answer.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Timeout',
      message: 'etcdserver: request timed out',
      code: 504,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
    const ready = await api({ path: '/readyz', token: null });
    expect(ready.status).toBe(500);
    expect(ready.text).toBe('[+]ping ok\n[-]etcd failed: reason withheld\nreadyz check failed\n');
    const kubectl = await lab.kubectl(['get', 'pods', '-A']);
    expect(kubectl.exitCode).not.toBe(0);
    expect(kubectl.stderr).toContain('etcdserver: request timed out');
  });
});
