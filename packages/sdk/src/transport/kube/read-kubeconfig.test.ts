import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseKubeconfig, readKubeconfig } from './read-kubeconfig.js';

const base64 = (text: string) => Buffer.from(text).toString('base64');

function kubeconfig(options: { cluster?: string; user?: string }): string {
  return `apiVersion: v1
kind: Config
current-context: main
clusters:
- name: main
  cluster:
${options.cluster ?? '    server: https://10.0.0.1:6443/'}
- name: other
  cluster:
    server: https://10.0.0.2:443
    tls-server-name: kube.other.example
contexts:
- name: main
  context:
    cluster: main
    user: admin
- name: other
  context:
    cluster: other
    user: admin
users:
- name: admin
  user:
${options.user ?? '    token: abc'}
`;
}

describe('parseKubeconfig', () => {
  it('decodes inline CA, client certificate and key, and strips the trailing slash of the server', () => {
    const parsed = parseKubeconfig({
      text: kubeconfig({
        cluster: `    server: https://10.0.0.1:6443/\n    certificate-authority-data: ${base64('CA PEM')}`,
        user: `    client-certificate-data: ${base64('CERT PEM')}\n    client-key-data: ${base64('KEY PEM')}`,
      }),
      directory: '/etc/kube',
    });
    expect(parsed).toEqual({
      kind: 'lite',
      config: {
        server: 'https://10.0.0.1:6443',
        context: 'main',
        ca: { data: Buffer.from('CA PEM') },
        clientCertificate: { data: Buffer.from('CERT PEM') },
        clientKey: { data: Buffer.from('KEY PEM') },
        insecureSkipTlsVerify: false,
      },
    });
  });

  it('resolves relative file paths against the kubeconfig folder and keeps absolute ones', () => {
    const parsed = parseKubeconfig({
      text: kubeconfig({
        cluster: '    server: https://10.0.0.1:6443\n    certificate-authority: pki/ca.crt',
        user: '    client-certificate: /abs/admin.crt\n    client-key: ../keys/admin.key',
      }),
      directory: '/etc/kube',
    });
    expect(parsed.kind === 'lite' && parsed.config).toMatchObject({
      ca: { file: '/etc/kube/pki/ca.crt' },
      clientCertificate: { file: '/abs/admin.crt' },
      clientKey: { file: '/etc/keys/admin.key' },
    });
  });

  it('reads insecure-skip-tls-verify and tls-server-name, and a token inline or as tokenFile', () => {
    const insecure = parseKubeconfig({
      text: kubeconfig({
        cluster:
          '    server: https://10.0.0.1:6443\n    insecure-skip-tls-verify: true\n    tls-server-name: kube.example',
        user: '    tokenFile: token.txt',
      }),
      directory: '/etc/kube',
    });
    expect(insecure.kind === 'lite' && insecure.config).toMatchObject({
      insecureSkipTlsVerify: true,
      tlsServerName: 'kube.example',
      token: { file: '/etc/kube/token.txt' },
    });
    const inline = parseKubeconfig({ text: kubeconfig({}), directory: '/etc/kube' });
    expect(inline.kind === 'lite' && inline.config.token).toEqual({ value: 'abc' });
  });

  it('uses the given context instead of current-context', () => {
    const parsed = parseKubeconfig({ text: kubeconfig({}), directory: '/etc/kube', context: 'other' });
    expect(parsed.kind === 'lite' && parsed.config).toMatchObject({
      server: 'https://10.0.0.2:443',
      context: 'other',
      tlsServerName: 'kube.other.example',
    });
  });

  it('sends exec and auth-provider users, basic auth, impersonation, proxies and plain http to client-node', () => {
    const cases = [
      { user: '    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: get-token' },
      { user: '    auth-provider:\n      name: oidc' },
      { user: '    username: admin\n    password: secret' },
      { user: '    token: abc\n    as: someone' },
      { cluster: '    server: https://10.0.0.1:6443\n    proxy-url: http://proxy:3128' },
      { cluster: '    server: http://10.0.0.1:8080' },
    ];
    for (const shape of cases) {
      const parsed = parseKubeconfig({ text: kubeconfig(shape), directory: '/etc/kube' });
      expect(parsed.kind, JSON.stringify(shape)).toBe('needs-client-node');
    }
  });

  it('finds no server for a cluster without one, or for an unknown context', () => {
    expect(
      parseKubeconfig({ text: kubeconfig({ cluster: '    certificate-authority: ca.crt' }), directory: '/' }),
    ).toEqual({ kind: 'invalid', problem: 'no-server', reason: 'has no cluster server for context main' });
    expect(parseKubeconfig({ text: kubeconfig({}), directory: '/', context: 'nope' })).toEqual({
      kind: 'invalid',
      problem: 'no-server',
      reason: 'has no cluster server for context nope',
    });
  });

  it('rejects text that is not YAML, or not a mapping', () => {
    expect(parseKubeconfig({ text: 'clusters: [\n  - a: b', directory: '/' }).kind).toBe('invalid');
    expect(parseKubeconfig({ text: '- just\n- a list', directory: '/' })).toEqual({
      kind: 'invalid',
      problem: 'not-a-kubeconfig',
      reason: 'not a kubeconfig (expected a YAML mapping)',
    });
  });
});

describe('readKubeconfig', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'etcd-dr-kubeconfig-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('reads the files the kubeconfig names, relative to its folder, into request options', async () => {
    await mkdir(join(directory, 'pki'));
    await writeFile(join(directory, 'pki', 'ca.crt'), 'CA PEM');
    await writeFile(join(directory, 'pki', 'admin.crt'), 'CERT PEM');
    await writeFile(join(directory, 'pki', 'admin.key'), 'KEY PEM');
    await writeFile(join(directory, 'token'), 'the-token\n');
    const path = join(directory, 'kubeconfig');
    await writeFile(
      path,
      kubeconfig({
        cluster:
          '    server: https://10.0.0.1:6443\n    certificate-authority: pki/ca.crt\n    tls-server-name: kube',
        user: '    client-certificate: pki/admin.crt\n    client-key: pki/admin.key\n    tokenFile: token',
      }),
    );
    expect(await readKubeconfig({ kubeconfigPath: path })).toEqual({
      kind: 'lite',
      server: 'https://10.0.0.1:6443',
      requestOptions: {
        ca: Buffer.from('CA PEM'),
        cert: Buffer.from('CERT PEM'),
        key: Buffer.from('KEY PEM'),
        servername: 'kube',
        headers: { Authorization: 'Bearer the-token' },
      },
    });
  });

  it('turns insecure-skip-tls-verify into rejectUnauthorized: false', async () => {
    const path = join(directory, 'kubeconfig');
    await writeFile(
      path,
      kubeconfig({ cluster: '    server: https://10.0.0.1:6443\n    insecure-skip-tls-verify: true' }),
    );
    expect(await readKubeconfig({ kubeconfigPath: path })).toEqual({
      kind: 'lite',
      server: 'https://10.0.0.1:6443',
      requestOptions: { rejectUnauthorized: false, headers: { Authorization: 'Bearer abc' } },
    });
  });

  it('says which named file cannot be read', async () => {
    const path = join(directory, 'kubeconfig');
    await writeFile(
      path,
      kubeconfig({ cluster: '    server: https://10.0.0.1:6443\n    certificate-authority: ca.crt' }),
    );
    await expect(readKubeconfig({ kubeconfigPath: path })).rejects.toMatchObject({
      code: 'KUBECONFIG_INVALID',
      message: `kubeconfig ${path} cannot be used: its certificate-authority ${join(directory, 'ca.crt')} cannot be read (ENOENT)`,
    });
  });

  it('fails with KUBECONFIG_NOT_FOUND for a missing file, KUBECONFIG_INVALID for bad YAML or no server', async () => {
    const missing = join(directory, 'absent');
    await expect(readKubeconfig({ kubeconfigPath: missing })).rejects.toMatchObject({
      code: 'KUBECONFIG_NOT_FOUND',
      message: `kubeconfig ${missing} does not exist or cannot be read`,
    });
    const bad = join(directory, 'bad');
    await writeFile(bad, 'clusters: [\n  - a: b');
    await expect(readKubeconfig({ kubeconfigPath: bad })).rejects.toMatchObject({
      code: 'KUBECONFIG_INVALID',
      message: expect.stringMatching(new RegExp(`^kubeconfig ${bad} cannot be used: \\S`)),
    });
    const serverless = join(directory, 'serverless');
    await writeFile(serverless, kubeconfig({ cluster: '    insecure-skip-tls-verify: true' }));
    await expect(readKubeconfig({ kubeconfigPath: serverless })).rejects.toMatchObject({
      code: 'KUBECONFIG_INVALID',
      message: `kubeconfig ${serverless} has no cluster server for context main`,
    });
  });

  it('hands an exec-plugin kubeconfig to client-node', async () => {
    const path = join(directory, 'kubeconfig');
    await writeFile(
      path,
      kubeconfig({
        user: '    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: get-token',
      }),
    );
    expect(await readKubeconfig({ kubeconfigPath: path })).toEqual({
      kind: 'needs-client-node',
      reason: 'the user sets exec',
    });
  });
});
