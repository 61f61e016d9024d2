import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer } from '../create-api-server.js';
import { apiRequest } from '../test-support/api-request.js';
import { startTestApiServer, type TestApiServer, waitFor } from '../test-support/start-test-api-server.js';
import { startTestEtcd } from '../test-support/start-test-etcd.js';

let lab: TestApiServer;

const api = (options: {
  method?: string;
  path: string;
  body?: unknown;
  contentType?: string;
  accept?: string;
}) => apiRequest({ url: lab.server.url, ca: lab.pki.ca, token: lab.token, ...options });

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 0,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'a',
            image: 'etcd-dr-lab/a:1',
            env: [
              { name: 'X', value: '1' },
              { name: 'Y', value: '2' },
            ],
          },
          { name: 'b', image: 'etcd-dr-lab/b:1' },
        ],
      },
    },
  },
};

beforeAll(async () => {
  lab = await startTestApiServer();
});

afterAll(async () => {
  await lab?.close();
});

describe('REST conventions: Status codes for bad requests', () => {
  it('404 for unknown resources, groups and objects', async () => {
    for (const path of [
      '/api/v1/widgets',
      '/apis/nope.example.com/v1',
      '/api/v1/namespaces/default/widgets/x',
      '/nothing',
    ]) {
      const answer = await api({ path });
      expect(answer.status, path).toBe(404);
      expect(answer.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
    }
    expect((await api({ path: '/apis/apps/v1/namespaces/default/statefulsets/none' })).body.message).toBe(
      'statefulsets.apps "none" not found',
    );
  });

  it('400 for malformed bodies, mismatched kinds and bad selectors', async () => {
    const garbage = await api({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: '{not json',
    });
    expect(garbage).toMatchObject({ status: 400, body: { reason: 'BadRequest' } });
    const wrongKind = await api({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'x' } },
    });
    expect(wrongKind.body).toMatchObject({
      code: 400,
      message: 'the kind in the data (Secret) does not match the expected kind (ConfigMap)',
    });
    const otherNamespace = await api({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: { metadata: { name: 'x', namespace: 'kube-system' } },
    });
    expect(otherNamespace.body).toMatchObject({
      code: 400,
      message: 'the namespace of the provided object does not match the namespace sent on the request',
    });
    expect((await api({ path: '/api/v1/pods?labelSelector=a%20in%20b' })).status).toBe(400);
    const field = await api({ path: '/api/v1/configmaps?fieldSelector=spec.nodeName%3Dx' });
    expect(field.body).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('422 Invalid with field causes, 409 AlreadyExists, 404 for a missing namespace', async () => {
    const noContainers = await api({
      method: 'POST',
      path: '/api/v1/namespaces/default/pods',
      body: { metadata: { name: 'empty' }, spec: {} },
    });
    expect(noContainers.body).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message: 'Pod "empty" is invalid: spec.containers: Required value',
      details: {
        name: 'empty',
        kind: 'Pod',
        causes: [{ reason: 'FieldValueRequired', field: 'spec.containers' }],
      },
    });
    const badName = await api({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: { metadata: { name: 'Bad_Name' } },
    });
    expect(badName.body).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(
      (
        await api({
          method: 'POST',
          path: '/api/v1/namespaces/default/configmaps',
          body: { metadata: { name: 'dup' } },
        })
      ).status,
    ).toBe(201);
    const duplicate = await api({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: { metadata: { name: 'dup' } },
    });
    expect(duplicate.body).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      message: 'configmaps "dup" already exists',
    });
    const missing = await api({
      method: 'POST',
      path: '/api/v1/namespaces/ghost/configmaps',
      body: { metadata: { name: 'x' } },
    });
    expect(missing.body).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'namespaces "ghost" not found',
    });
    const generated = await api({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: { metadata: { generateName: 'drill-' } },
    });
    expect(generated.status).toBe(201);
    expect(generated.body.metadata.name).toMatch(/^drill-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(generated.body.metadata).toMatchObject({ generation: 1, namespace: 'default' });
    expect(generated.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(generated.body.metadata.creationTimestamp)).toBeGreaterThan(Date.now() - 60_000);
    const withVersion = await api({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: { metadata: { name: 'rv', resourceVersion: '5' } },
    });
    expect(withVersion.body).toMatchObject({
      code: 500,
      message: 'resourceVersion should not be set on objects to be created',
    });
  });

  it('405 for verbs a path does not take, 415 for unknown media types', async () => {
    expect(
      (await api({ method: 'PUT', path: '/api/v1/namespaces/default/configmaps', body: {} })).body,
    ).toMatchObject({
      code: 405,
      reason: 'MethodNotAllowed',
    });
    const patch = await api({
      method: 'PATCH',
      path: '/api/v1/namespaces/default/configmaps/dup',
      body: 'x',
      contentType: 'text/plain',
    });
    expect(patch.body).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
  });
});

describe('REST conventions: patches, tables, discovery, watch, graceful deletion', () => {
  it('applies JSON, merge and strategic merge patches (lists merged by name)', async () => {
    expect(
      (await api({ method: 'POST', path: '/apis/apps/v1/namespaces/default/deployments', body: deployment }))
        .status,
    ).toBe(201);
    const path = '/apis/apps/v1/namespaces/default/deployments/web';
    const strategic = await api({
      method: 'PATCH',
      path,
      contentType: 'application/strategic-merge-patch+json',
      body: {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'a',
                  env: [
                    { name: 'Y', value: 'changed' },
                    { name: 'Z', value: '3' },
                  ],
                },
              ],
            },
          },
        },
      },
    });
    expect(strategic.status).toBe(200);
    const containers = strategic.body.spec.template.spec.containers;
    expect(containers.map((container: { name: string }) => container.name)).toEqual(['a', 'b']);
    expect(containers[0].env).toEqual([
      { name: 'X', value: '1' },
      { name: 'Y', value: 'changed' },
      { name: 'Z', value: '3' },
    ]);
    expect(strategic.body.metadata.generation).toBe(2);
    const merge = await api({
      method: 'PATCH',
      path,
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { tier: 'x' } }, spec: { replicas: 0 } },
    });
    expect(merge.body.metadata.labels).toEqual({ tier: 'x' });
    const json = await api({
      method: 'PATCH',
      path,
      contentType: 'application/json-patch+json',
      body: [{ op: 'replace', path: '/spec/template/spec/containers/1/image', value: 'etcd-dr-lab/b:2' }],
    });
    expect(json.body.spec.template.spec.containers[1].image).toBe('etcd-dr-lab/b:2');
    const failing = await api({
      method: 'PATCH',
      path,
      contentType: 'application/json-patch+json',
      body: [{ op: 'remove', path: '/spec/nothing' }],
    });
    expect(failing.body).toMatchObject({ code: 422 });
    const replaced = await api({
      method: 'PUT',
      path: `${path}/scale`,
      body: {
        apiVersion: 'autoscaling/v1',
        kind: 'Scale',
        metadata: { name: 'web', namespace: 'default' },
        spec: { replicas: 0 },
      },
    });
    expect(replaced.status).toBe(200);
    const negative = await api({
      method: 'PUT',
      path: `${path}/scale`,
      body: { kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: -1 } },
    });
    expect(negative.body).toMatchObject({ code: 422, reason: 'Invalid' });
    const scale = await api({ method: 'GET', path: `${path}/scale` });
    expect(scale.body).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 0 },
      status: { selector: 'app=web' },
    });
  });

  it('serves server-side tables and discovery with the scale subresource', async () => {
    const table = await api({
      path: '/api/v1/namespaces',
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    expect(table.body.kind).toBe('Table');
    expect(table.body.columnDefinitions.map((column: { name: string }) => column.name)).toEqual([
      'Name',
      'Status',
      'Age',
    ]);
    expect(table.body.rows.map((row: { cells: string[] }) => row.cells[0])).toEqual([
      'default',
      'kube-system',
    ]);
    const apps = await api({ path: '/apis/apps/v1' });
    expect(apps.body.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'statefulsets',
          namespaced: true,
          kind: 'StatefulSet',
          shortNames: ['sts'],
        }),
        expect.objectContaining({
          name: 'statefulsets/scale',
          group: 'autoscaling',
          version: 'v1',
          kind: 'Scale',
        }),
      ]),
    );
    const groups = await api({ path: '/apis' });
    expect(groups.body.groups.map((group: { name: string }) => group.name)).toEqual([
      'apps',
      'policy',
      'onprem.cluster.gke.io',
    ]);
  });

  it('streams watch events from a list resourceVersion, filtered by field selector', async () => {
    const list = await api({ path: '/api/v1/namespaces/default/configmaps' });
    const events: Array<{ type: string; object: { metadata: { name: string } } }> = [];
    const request = https.get(
      new URL(
        `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${list.body.metadata.resourceVersion}&fieldSelector=metadata.name%3Dwatched`,
        lab.server.url,
      ),
      { ca: lab.pki.ca, headers: { authorization: `Bearer ${lab.token}` } },
      (response) => {
        let buffer = '';
        response.on('data', (chunk) => {
          buffer += chunk;
          const lines = buffer.split('\n');
          buffer = lines.pop()!;
          for (const line of lines) events.push(JSON.parse(line));
        });
      },
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await lab.kubectlOk(['create', 'configmap', 'unwatched']);
      await lab.kubectlOk(['create', 'configmap', 'watched']);
      await lab.kubectlOk(['delete', 'configmap', 'watched']);
      await waitFor(async () => events.length >= 2, 5000, 'watch events');
      expect(events.map((event) => `${event.type} ${event.object.metadata.name}`)).toEqual([
        'ADDED watched',
        'DELETED watched',
      ]);
    } finally {
      request.destroy();
    }
  });

  it('deletes a running pod gracefully: marked with deletionTimestamp, gone once the kubelet stopped it', async () => {
    await lab.kubectlOk([
      'run',
      'sleeper',
      '--image=etcd-dr-lab/sleeper:1',
      '--restart=Never',
      '--command',
      '--',
      'sleep',
      '3600',
    ]);
    await waitFor(
      async () =>
        (await lab.kubectlOk(['get', 'pod', 'sleeper', '-o', 'jsonpath={.status.phase}'])) === 'Running',
      20_000,
      'sleeper running',
    );
    const answer = await api({
      method: 'DELETE',
      path: '/api/v1/namespaces/default/pods/sleeper',
      body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 5 },
    });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.metadata.deletionTimestamp).toBeDefined();
    expect(answer.body.metadata.deletionGracePeriodSeconds).toBe(5);
    await waitFor(
      async () => (await api({ path: '/api/v1/namespaces/default/pods/sleeper' })).status === 404,
      10_000,
      'pod removed',
    );
  });

  it('refuses pod spec changes other than images, as kubectl apply of an edited utility pod finds out', async () => {
    const manifest = (command: string, image: string) => `apiVersion: v1
kind: Pod
metadata: {name: edited, namespace: default}
spec:
  containers: [{name: c, image: ${image}, command: [sleep, "${command}"]}]
`;
    await lab.kubectlOk(['apply', '-f', '-'], { stdin: manifest('3600', 'etcd-dr-lab/x:1') });
    expect(await lab.kubectlOk(['apply', '-f', '-'], { stdin: manifest('3600', 'etcd-dr-lab/x:2') })).toBe(
      'pod/edited configured\n',
    );
    const refused = await lab.kubectl(['apply', '-f', '-'], { stdin: manifest('60', 'etcd-dr-lab/x:2') });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain(
      'The Pod "edited" is invalid: spec: Forbidden: pod updates may not change fields other than',
    );
  });

  it('refuses connections while not listening and serves again on the same port', async () => {
    await lab.server.setListening(false);
    const refused = await lab.kubectl(['get', 'namespaces', '--request-timeout=5s']);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain(
      `The connection to the server ${new URL(lab.server.url).host} was refused`,
    );
    await lab.server.setListening(true);
    expect(await lab.kubectlOk(['get', 'namespace', 'default', '-o', 'name'])).toBe('namespace/default\n');
  });
});

describe('createApiServer input checks', () => {
  it('names the missing piece when options cannot work', async () => {
    const tls = { cert: lab.pki.serverCert, key: lab.pki.serverKey, clientCa: lab.pki.ca };
    await expect(createApiServer({ etcd: { endpoints: [] }, tls })).rejects.toMatchObject({
      code: 'APISERVER_NO_ETCD_ENDPOINTS',
    });
    await expect(
      createApiServer({
        etcd: { endpoints: [lab.etcd.clientUrl] },
        tls,
        kubelet: { nodes: ['n'], dataDir: lab.directory },
      }),
    ).rejects.toMatchObject({ code: 'APISERVER_KUBELET_WITHOUT_RUNTIME' });
    await expect(
      createApiServer({
        etcd: { endpoints: [lab.etcd.clientUrl] },
        tls,
        port: lab.server.port,
        controllers: false,
      }),
    ).rejects.toMatchObject({ code: 'APISERVER_LISTEN_FAILED' });
  });

  it('refuses new content in a Terminating namespace with 403 Forbidden', async () => {
    const etcd = await startTestEtcd({ directory: path.join(lab.directory, 'frozen-etcd') });
    const frozen = await createApiServer({
      etcd: { endpoints: [etcd.clientUrl] },
      tls: { cert: lab.pki.serverCert, key: lab.pki.serverKey, clientCa: lab.pki.ca },
      tokens: [lab.token],
      controllers: false,
    });
    try {
      const viaFrozen = (options: { method?: string; path: string; body?: unknown }) =>
        apiRequest({ url: frozen.url, ca: lab.pki.ca, token: lab.token, ...options });
      expect(
        (
          await viaFrozen({
            method: 'POST',
            path: '/api/v1/namespaces',
            body: { metadata: { name: 'closing' } },
          })
        ).status,
      ).toBe(201);
      const deleted = await viaFrozen({ method: 'DELETE', path: '/api/v1/namespaces/closing' });
      expect(deleted.body.status.phase).toBe('Terminating');
      expect(deleted.body.metadata.deletionTimestamp).toBeDefined();
      const refused = await viaFrozen({
        method: 'POST',
        path: '/api/v1/namespaces/closing/configmaps',
        body: { metadata: { name: 'late' } },
      });
      expect(refused.body).toMatchObject({
        code: 403,
        reason: 'Forbidden',
        message:
          'configmaps "late" is forbidden: unable to create new content in namespace closing because it is being terminated',
      });
    } finally {
      await frozen.close();
      await etcd.stop();
    }
  });
});
