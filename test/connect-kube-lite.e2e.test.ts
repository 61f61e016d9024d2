import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectKube, type EtcdDrError } from '@etcd-dr/sdk';
import type { V1NodeList, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestApiServer,
  type TestApiServer,
} from '../packages/sandbox/src/apiserver/test-support/start-test-api-server.js';

// connectKube reads the kubeconfig itself (no client-node) for certificate and token users, and hands exec
// plugins to client-node; both against the lab API server.
let lab: TestApiServer;
let base: string;

async function writeKubeconfig(name: string, options: { cluster: string; user: string }): Promise<string> {
  const path = join(base, name);
  await writeFile(
    path,
    `apiVersion: v1
kind: Config
current-context: lab
clusters:
- name: lab
  cluster:
    server: ${lab.server.url}
${options.cluster}
contexts:
- name: lab
  context: {cluster: lab, user: lab}
users:
- name: lab
  user:
${options.user}
`,
    { mode: 0o600 },
  );
  return path;
}

const caData = async () =>
  `    certificate-authority-data: ${(await readFile(lab.pki.files.ca)).toString('base64')}`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  lab = await startTestApiServer();
  base = await mkdtemp(join(tmpdir(), 'etcd-dr-lite-kube-'));
});

afterAll(async () => {
  await lab?.close();
  if (base) await rm(base, { recursive: true, force: true });
});

describe('connectKube without client-node', () => {
  it('GETs objects with a client certificate from files and maps a missing object to KUBE_NOT_FOUND', async () => {
    const kube = await connectKube({ kubeconfigPath: lab.kubeconfig });
    const nodes = await kube.getJson<V1NodeList>('list nodes', '/api/v1/nodes');
    expect(nodes.items.map((node) => node.metadata?.name)).toEqual(['node1']);
    const labelled = await kube.getJson<V1NodeList>('list nodes', '/api/v1/nodes', {
      labelSelector: 'kubernetes.googleapis.com/cluster-name=nobody',
    });
    expect(labelled.items).toEqual([]);
    const missing = await kube
      .getJson<V1Pod>('get pod kube-system/absent', '/api/v1/namespaces/kube-system/pods/absent')
      .catch((error: unknown) => error as EtcdDrError);
    expect(missing).toMatchObject({ code: 'KUBE_NOT_FOUND', status: 404, server: lab.server.url });
    expect((missing as EtcdDrError).message).toMatch(
      /^get pod kube-system\/absent on https:\/\/127\.0\.0\.1:\d+: not found/,
    );
  });

  it('loads client-node on the first call: the typed APIs work inside call and fail clearly before it', async () => {
    const kube = await connectKube({ kubeconfigPath: lab.kubeconfig });
    expect(() => kube.core).toThrow(/internal error: kube\.core was read before client-node was loaded/);
    const nodes = await kube.call('list nodes', () => kube.core.listNode());
    expect(nodes.items.map((node) => node.metadata?.name)).toEqual(['node1']);
    expect(kube.core).toBeDefined();
  });

  it('sends a bearer token (inline or from a relative tokenFile) and maps a wrong one to KUBE_UNAUTHORIZED', async () => {
    await writeFile(join(base, 'token'), `${lab.token}\n`, { mode: 0o600 });
    const fromFile = await connectKube({
      kubeconfigPath: await writeKubeconfig('token-file.kubeconfig', {
        cluster: await caData(),
        user: '    tokenFile: token',
      }),
    });
    expect((await fromFile.getJson<V1NodeList>('list nodes', '/api/v1/nodes')).items).toHaveLength(1);
    const wrong = await connectKube({
      kubeconfigPath: await writeKubeconfig('wrong-token.kubeconfig', {
        cluster: await caData(),
        user: '    token: not-the-token',
      }),
    });
    await expect(wrong.getJson('list nodes', '/api/v1/nodes')).rejects.toMatchObject({
      code: 'KUBE_UNAUTHORIZED',
      status: 401,
    });
  });

  it('checks the server certificate against the CA unless insecure-skip-tls-verify is set', async () => {
    const user = `    token: ${lab.token}`;
    const insecure = await connectKube({
      kubeconfigPath: await writeKubeconfig('insecure.kubeconfig', {
        cluster: '    insecure-skip-tls-verify: true',
        user,
      }),
    });
    expect((await insecure.getJson<V1NodeList>('list nodes', '/api/v1/nodes')).items).toHaveLength(1);
    const noCa = await connectKube({
      kubeconfigPath: await writeKubeconfig('no-ca.kubeconfig', { cluster: '', user }),
    });
    await expect(noCa.getJson('list nodes', '/api/v1/nodes')).rejects.toMatchObject({
      code: 'KUBE_API_ERROR',
      message: expect.stringMatching(/certificate/),
    });
  });

  it('maps a closed port to KUBE_UNREACHABLE', async () => {
    const path = join(base, 'closed.kubeconfig');
    const text = (await readFile(lab.kubeconfig, 'utf8')).replace(
      lab.server.url,
      `https://127.0.0.1:${await freePort()}`,
    );
    await writeFile(path, text, { mode: 0o600 });
    const kube = await connectKube({ kubeconfigPath: path });
    await expect(kube.getJson('list nodes', '/api/v1/nodes')).rejects.toMatchObject({
      code: 'KUBE_UNREACHABLE',
      isRetryable: true,
    });
  });

  it('hands an exec-plugin user to client-node: getJson and call both authenticate with its credential', async () => {
    const credential = (token: string) =>
      JSON.stringify({
        apiVersion: 'client.authentication.k8s.io/v1',
        kind: 'ExecCredential',
        status: { token },
      });
    const plugin = (name: string, token: string) =>
      writeKubeconfig(name, {
        cluster: `    certificate-authority: ${lab.pki.files.ca}`,
        user: `    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: /bin/sh
      args: ["-c", ${JSON.stringify(`echo '${credential(token)}'`)}]
      interactiveMode: Never`,
      });
    const kube = await connectKube({ kubeconfigPath: await plugin('exec.kubeconfig', lab.token) });
    expect(kube.core).toBeDefined();
    expect((await kube.getJson<V1NodeList>('list nodes', '/api/v1/nodes')).items).toHaveLength(1);
    expect((await kube.call('list nodes', () => kube.core.listNode())).items).toHaveLength(1);
    const wrong = await connectKube({ kubeconfigPath: await plugin('exec-wrong.kubeconfig', 'nope') });
    await expect(wrong.getJson('list nodes', '/api/v1/nodes')).rejects.toMatchObject({
      code: 'KUBE_UNAUTHORIZED',
    });
  });
});
