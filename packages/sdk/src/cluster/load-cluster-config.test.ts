import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EtcdDrError } from '../errors/etcd-dr-error.js';
import { loadClusterConfig } from './load-cluster-config.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'etcd-dr-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(yaml: string) {
  const path = join(dir, 'etcd-dr.yaml');
  await writeFile(path, yaml);
  return loadClusterConfig({ path });
}

describe('loadClusterConfig', () => {
  it('applies defaults and resolves paths against the config folder', async () => {
    const config = await load(`
apiVersion: etcd-dr/v1
kind: ClusterConfig
adminCluster: { kubeconfig: admin.kubeconfig }
userCluster:
  name: user-1
  kubeconfig: /abs/user.kubeconfig
  controlPlaneNodes:
    - { name: user-1-cp1, address: 10.0.0.5, identityFile: keys/cp1 }
`);
    expect(config.adminCluster.kubeconfig).toBe(join(dir, 'admin.kubeconfig'));
    expect(config.userCluster.kubeconfig).toBe('/abs/user.kubeconfig');
    expect(config.userCluster.topology).toBe('auto');
    expect(config.userCluster.controlPlaneNodes[0]).toEqual({
      name: 'user-1-cp1',
      address: '10.0.0.5',
      port: 22,
      user: 'ubuntu',
      identityFile: join(dir, 'keys/cp1'),
    });
  });

  it('names the bad field in one line', async () => {
    const error = await load(`
apiVersion: etcd-dr/v1
kind: ClusterConfig
adminCluster: { kubeconfig: a }
userCluster: { name: User_1, kubeconfig: u }
`).catch((caught: unknown) => caught);
    expect(EtcdDrError.isInstance(error)).toBe(true);
    const line = (error as EtcdDrError).toLine();
    expect(line).toMatch(
      /^CONFIG_INVALID: .*etcd-dr\.yaml: field userCluster\.name: must be a Kubernetes name/,
    );
    expect(line).not.toContain('\n');
  });

  it('rejects unknown fields, a missing file and broken YAML with distinct codes', async () => {
    const unknown = await load(
      'apiVersion: etcd-dr/v1\nkind: ClusterConfig\nadminCluster: {kubeconfig: a}\nuserCluster: {name: u, kubeconfig: u}\nextra: 1\n',
    ).catch((caught: EtcdDrError) => caught.code);
    expect(unknown).toBe('CONFIG_INVALID');
    const missing = await loadClusterConfig({ path: join(dir, 'nope.yaml') }).catch(
      (caught: EtcdDrError) => caught.code,
    );
    expect(missing).toBe('CONFIG_NOT_FOUND');
    const broken = await load('a: [1, 2\n').catch((caught: EtcdDrError) => caught.code);
    expect(broken).toBe('CONFIG_NOT_YAML');
  });
});
