import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  moveManifestsAsideScript,
  moveManifestsBackScript,
  moveRestoredManifestsInScript,
  moveRestoredManifestsOutScript,
  removeSnapshotScript,
  stateConflictExitCode,
  swapDataScript,
  unswapDataScript,
} from './node-scripts.js';
import type { ControlPlaneManifestParams } from './node-step-params.js';

// The node scripts run here with the real sh, mv and rmdir on a temporary tree laid out like a node.
const run = promisify(execFile);
async function sh(script: string): Promise<{ exitCode: number; stderr: string }> {
  try {
    const { stderr } = await run('sh', ['-c', script]);
    return { exitCode: 0, stderr };
  } catch (error) {
    const failure = error as { code: number; stderr: string };
    return { exitCode: failure.code, stderr: failure.stderr };
  }
}

let root: string;
let params: ControlPlaneManifestParams;
const inode = async (path: string) => (await stat(path)).ino;
const list = async (path: string) => (await readdir(path).catch(() => ['(missing)'])).sort();

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'edr-cpv2-scripts-'));
  params = {
    node: 'cp-1',
    manifestsDirectory: join(root, 'etc/kubernetes/manifests'),
    asideDirectory: join(root, 'etc/kubernetes/etcd-dr restore'),
    dataHostPath: join(root, 'opt/data/var/lib/etcd'),
    stagingDirectory: join(root, 'opt/data/var/lib/etcd-dr-restore'),
    manifests: ['kube-apiserver.yaml', 'etcd.yaml'],
    ports: [2379, 2380],
    timeoutMs: 1000,
  };
  await mkdir(params.manifestsDirectory, { recursive: true });
  await writeFile(join(params.manifestsDirectory, 'etcd.yaml'), 'etcd: original\n', { mode: 0o600 });
  await writeFile(join(params.manifestsDirectory, 'kube-apiserver.yaml'), 'apiserver\n', { mode: 0o600 });
  await mkdir(join(params.dataHostPath, 'member/wal'), { recursive: true, mode: 0o700 });
  await mkdir(join(params.stagingDirectory, 'restored/member/wal'), { recursive: true, mode: 0o700 });
  await writeFile(join(params.stagingDirectory, 'snapshot.db'), 'snapshot');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('manifest scripts', () => {
  it('move aside idempotently into a 0700 folder, and back, leaving no folder behind', async () => {
    expect((await sh(moveManifestsAsideScript(params))).exitCode).toBe(0);
    expect((await sh(moveManifestsAsideScript(params))).exitCode).toBe(0);
    expect(await list(params.manifestsDirectory)).toEqual([]);
    expect(await list(params.asideDirectory)).toEqual(['etcd.yaml', 'kube-apiserver.yaml']);
    expect((await stat(params.asideDirectory)).mode & 0o777).toBe(0o700);
    expect((await sh(moveManifestsBackScript(params))).exitCode).toBe(0);
    expect((await sh(moveManifestsBackScript(params))).exitCode).toBe(0);
    expect(await list(params.manifestsDirectory)).toEqual(['etcd.yaml', 'kube-apiserver.yaml']);
    expect(await list(join(root, 'etc/kubernetes'))).toEqual(['manifests']);
  });

  it('refuses a manifest that is both live and aside with other contents, and drops an identical live copy', async () => {
    expect((await sh(moveManifestsAsideScript(params))).exitCode).toBe(0);
    await writeFile(join(params.manifestsDirectory, 'etcd.yaml'), 'etcd: edited by hand\n');
    const conflict = await sh(moveManifestsAsideScript(params));
    expect(conflict.exitCode).toBe(stateConflictExitCode);
    expect(conflict.stderr).toContain('etcd.yaml is both in');
    await writeFile(join(params.manifestsDirectory, 'etcd.yaml'), 'etcd: original\n');
    expect((await sh(moveManifestsAsideScript(params))).exitCode).toBe(0);
    expect(await list(params.manifestsDirectory)).toEqual([]);
  });

  it('start puts the edited etcd.yaml live and keeps the original aside; its undo removes only the edited copy', async () => {
    expect((await sh(moveManifestsAsideScript(params))).exitCode).toBe(0);
    await writeFile(join(params.asideDirectory, 'etcd.yaml.restored'), 'etcd: edited\n', { mode: 0o600 });
    expect((await sh(moveRestoredManifestsInScript(params))).exitCode).toBe(0);
    expect((await sh(moveRestoredManifestsInScript(params))).exitCode).toBe(0);
    expect(await readFile(join(params.manifestsDirectory, 'etcd.yaml'), 'utf8')).toBe('etcd: edited\n');
    expect(await list(params.asideDirectory)).toEqual(['etcd.yaml']);
    expect((await sh(moveRestoredManifestsOutScript(params))).exitCode).toBe(0);
    expect((await sh(moveRestoredManifestsOutScript(params))).exitCode).toBe(0);
    expect(await list(params.manifestsDirectory)).toEqual([]);
    expect((await sh(moveManifestsBackScript(params))).exitCode).toBe(0);
    expect(await readFile(join(params.manifestsDirectory, 'etcd.yaml'), 'utf8')).toBe('etcd: original\n');
    // Undoing start again once the stop was undone must not take the original manifests away.
    expect((await sh(moveRestoredManifestsOutScript(params))).exitCode).toBe(0);
    expect(await list(params.manifestsDirectory)).toEqual(['etcd.yaml', 'kube-apiserver.yaml']);
  });
});

describe('data swap scripts', () => {
  it('swap is idempotent and its undo brings back the very same old member directory', async () => {
    const old = await inode(join(params.dataHostPath, 'member'));
    const restored = await inode(join(params.stagingDirectory, 'restored/member'));
    expect((await sh(swapDataScript(params))).exitCode).toBe(0);
    expect((await sh(swapDataScript(params))).exitCode).toBe(0);
    expect(await inode(join(params.dataHostPath, 'member'))).toBe(restored);
    expect(await inode(join(params.stagingDirectory, 'member.before-restore'))).toBe(old);
    expect((await sh(unswapDataScript(params))).exitCode).toBe(0);
    expect((await sh(unswapDataScript(params))).exitCode).toBe(0);
    expect(await inode(join(params.dataHostPath, 'member'))).toBe(old);
    expect(await list(params.stagingDirectory)).toEqual(['restored', 'snapshot.db']);
  });

  it('finishes a swap killed between its two moves, and undoes one killed there too', async () => {
    const old = await inode(join(params.dataHostPath, 'member'));
    // Killed after the old member went aside and the marker was written, before the restored one moved in.
    await sh(
      `mv '${params.dataHostPath}/member' '${params.stagingDirectory}/member.before-restore' && : > '${params.stagingDirectory}/swapped'`,
    );
    expect((await sh(unswapDataScript(params))).exitCode).toBe(0);
    expect(await inode(join(params.dataHostPath, 'member'))).toBe(old);
    await sh(
      `mv '${params.dataHostPath}/member' '${params.stagingDirectory}/member.before-restore' && : > '${params.stagingDirectory}/swapped'`,
    );
    expect((await sh(swapDataScript(params))).exitCode).toBe(0);
    expect(await inode(join(params.stagingDirectory, 'member.before-restore'))).toBe(old);
  });

  it('works when the node had no member at all, and refuses to run before anything was restored', async () => {
    await rm(params.dataHostPath, { recursive: true });
    expect((await sh(swapDataScript(params))).exitCode).toBe(0);
    expect((await stat(params.dataHostPath)).mode & 0o777).toBe(0o700);
    expect((await sh(unswapDataScript(params))).exitCode).toBe(0);
    expect(await list(params.dataHostPath)).toEqual([]);
    await rm(join(params.stagingDirectory, 'restored'), { recursive: true });
    const refused = await sh(swapDataScript(params));
    expect(refused.exitCode).toBe(stateConflictExitCode);
    expect(refused.stderr).toContain('run the restore-member step first');
  });

  it('removing the snapshot removes the staging folder only once it is empty', async () => {
    expect((await sh(removeSnapshotScript(params))).exitCode).toBe(0);
    expect(await list(params.stagingDirectory)).toEqual(['restored']);
    await rm(join(params.stagingDirectory, 'restored'), { recursive: true });
    expect((await sh(removeSnapshotScript(params))).exitCode).toBe(0);
    expect((await sh(removeSnapshotScript(params))).exitCode).toBe(0);
    expect(await list(join(root, 'opt/data/var/lib'))).toEqual(['etcd']);
  });
});
