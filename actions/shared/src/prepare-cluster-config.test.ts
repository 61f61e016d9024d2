import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareClusterConfig } from './prepare-cluster-config.js';

describe('prepareClusterConfig', () => {
  let base: string;
  const masked: string[] = [];
  const setSecret = (secret: string) => masked.push(secret);
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-prepare-'));
    masked.length = 0;
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('writes secrets 0600 in a 0700 folder, applies them over the config file, and removes them', async () => {
    await writeFile(
      join(base, 'etcd-dr.yaml'),
      [
        'apiVersion: etcd-dr/v1',
        'kind: ClusterConfig',
        'adminCluster: { kubeconfig: admin.kubeconfig }',
        'userCluster:',
        '  name: user-1',
        '  kubeconfig: user.kubeconfig',
        '  topology: controlplane-v2',
        '  controlPlaneNodes: [{ name: cp1, address: 10.0.0.21, identityFile: keys/cp1 }]',
      ].join('\n'),
    );
    const temporary = join(base, 'runner-temp');
    await mkdir(temporary);
    const prepared = await prepareClusterConfig({
      inputs: {
        kind: 'config',
        configPath: 'etcd-dr.yaml',
        adminKubeconfig: 'apiVersion: v1\nkind: Config\ntoken: a-long-admin-token-value\n',
        sshPrivateKey: 'PRIVATE KEY BODY THAT IS LONG\n',
      },
      temporaryDirectory: temporary,
      workingDirectory: base,
      setSecret,
    });
    expect((await stat(prepared.directory)).mode & 0o777).toBe(0o700);
    expect((await readdir(prepared.directory)).sort()).toEqual([
      'admin.kubeconfig',
      'etcd-dr.yaml',
      'ssh-identity',
    ]);
    for (const name of ['admin.kubeconfig', 'etcd-dr.yaml', 'ssh-identity']) {
      expect((await stat(join(prepared.directory, name))).mode & 0o777).toBe(0o600);
    }
    const { config } = prepared;
    expect(config.adminCluster.kubeconfig).toBe(join(prepared.directory, 'admin.kubeconfig'));
    expect(config.userCluster.kubeconfig).toBe(join(base, 'user.kubeconfig'));
    expect(config.userCluster.controlPlaneNodes[0]!.identityFile).toBe(
      join(prepared.directory, 'ssh-identity'),
    );
    expect(JSON.parse(await readFile(prepared.configPath, 'utf8'))).toMatchObject({
      userCluster: { name: 'user-1' },
    });
    expect(masked).toContain('a-long-admin-token-value');
    await prepared.remove();
    expect(await readdir(temporary)).toEqual([]);
  });

  it('names the config input when the file is missing or invalid, leaving nothing behind', async () => {
    const options = { temporaryDirectory: base, workingDirectory: base, setSecret };
    await expect(
      prepareClusterConfig({
        ...options,
        inputs: { kind: 'config', configPath: 'missing.yaml', userKubeconfig: 'U\n' },
      }),
    ).rejects.toThrow(/^input config: cannot read cluster config .*missing\.yaml/);
    await writeFile(join(base, 'bad.yaml'), 'apiVersion: etcd-dr/v1\nkind: ClusterConfig\n');
    await expect(
      prepareClusterConfig({ ...options, inputs: { kind: 'config', configPath: 'bad.yaml' } }),
    ).rejects.toThrow(/^input config: .*field adminCluster/);
    await expect(
      prepareClusterConfig({
        ...options,
        inputs: {
          kind: 'secrets',
          clusterName: 'User_1',
          topology: 'auto',
          adminKubeconfig: 'A',
          userKubeconfig: 'U',
        },
      }),
    ).rejects.toThrow(/^input cluster-name: field userCluster\.name: must be a Kubernetes name/);
    expect((await readdir(base)).sort()).toEqual(['bad.yaml']);
  });
});
