import { createReadStream } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BundleFormat, bundleFilePath, createBundleWriter, readBundle } from '@etcd-dr/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, startTestEtcd, type TestEtcd } from '../../../sdk/src/test-support/start-etcd.js';
import { expectOneLineError, runCli } from '../test-support/run-cli.js';

// `etcd-dr inspect` on bundles written by the SDK around a real etcd snapshot (Debian's etcd 3.4).
let etcd: TestEtcd;
let dir: string;
let scratch: string;
let snapshot: string;
let status: { hash: number; revision: number; totalKey: number; totalSize: number };

// TMPDIR shows that the temporary copy of a .tar bundle's snapshot is removed.
const etcdDr = (args: string[]) => runCli(args, { env: { TMPDIR: scratch } });

let bundleCount = 0;
async function makeBundle(
  options: { format?: BundleFormat; snapshotPath?: string; encryptTo?: string; revision?: number } = {},
): Promise<string> {
  bundleCount += 1;
  const writer = await createBundleWriter({
    directory: dir,
    name: `user-1-${bundleCount}`,
    format: options.format ?? 'directory',
  });
  const source = options.snapshotPath ?? snapshot;
  if (options.encryptTo) {
    const encrypted = `${source}.${bundleCount}.age`;
    await run('age', ['-r', options.encryptTo, '-o', encrypted, source]);
    await writer.addFile({
      path: bundleFilePath({ role: 'snapshot', encryption: 'age' }),
      role: 'snapshot',
      encryption: 'age',
      content: createReadStream(encrypted),
    });
  } else {
    await writer.addFile({ path: 'snapshot.db', role: 'snapshot', content: createReadStream(source) });
  }
  for (const node of ['cp-1', 'cp-2', 'cp-3']) {
    await writer.addFile({
      path: bundleFilePath({ role: 'pki', node }),
      role: 'pki',
      node,
      content: `pki of ${node}`,
    });
  }
  await writer.addFile({
    path: bundleFilePath({ role: 'object', name: 'kube-apiserver-pdb.yaml' }),
    role: 'object',
    content: 'apiVersion: policy/v1\nkind: PodDisruptionBudget\n',
  });
  const { path } = await writer.commit({
    tool: { name: 'etcd-dr', version: '0.1.0' },
    cluster: {
      name: 'user-1',
      topology: 'controlplane-v2',
      ha: true,
      members: ['cp-1', 'cp-2', 'cp-3'].map((node, index) => ({
        name: node,
        peerUrl: `https://10.0.0.${5 + index}:2380`,
        node,
      })),
    },
    etcd: { version: '3.4.23' },
    snapshot: { revision: options.revision ?? status.revision, totalKeys: status.totalKey, hash: 'hashed' },
    hostKeys: { 'cp-1': `SHA256:${'B'.repeat(43)}` },
  });
  return path;
}

async function flipByte(path: string, position: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, position);
    await handle.write(Buffer.from([byte[0]! ^ 0x01]), 0, 1, position);
  } finally {
    await handle.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'etcd-dr-cli-inspect-bundle-'));
  scratch = await mkdtemp(join(tmpdir(), 'etcd-dr-cli-inspect-bundle-tmp-'));
  etcd = await startTestEtcd();
  for (const key of [
    '/registry/namespaces/shop',
    '/registry/pods/shop/cart-1',
    '/registry/pods/shop/cart-2',
  ]) {
    await etcd.etcdctl(['put', key, `{"key":"${key}"}`]);
  }
  snapshot = join(dir, 'snapshot.db');
  await etcd.etcdctl(['snapshot', 'save', snapshot]);
  status = JSON.parse(await run('etcdctl', ['snapshot', 'status', '-w', 'json', snapshot]));
});

afterAll(async () => {
  await etcd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('etcd-dr inspect BUNDLE', () => {
  it('verifies a directory bundle and shows its cluster, files and snapshot', async () => {
    const bundle = await makeBundle();
    const result = await etcdDr(['inspect', bundle]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^Bundle\\s+${bundle} \\(directory, format 1, written by etcd-dr 0\\.1\\.0`, 'm'),
    );
    expect(result.stdout).toMatch(/^Cluster\s+user-1: controlplane-v2, HA, 3 members, etcd 3\.4\.23$/m);
    expect(result.stdout).toMatch(/^Members\s+cp-1 {2}peer https:\/\/10\.0\.0\.5:2380 {2}node cp-1$/m);
    expect(result.stdout).toMatch(/^snapshot\.db\s+snapshot\s+-\s+\S+ KiB\s+none\s+ok [0-9a-f]{16}…$/m);
    expect(result.stdout).toMatch(/^pki\/cp-2\.tar\s+pki\s+cp-2\s+11 B\s+none\s+ok /m);
    expect(result.stdout).toContain('All 5 files match the manifest (size and SHA-256).');
    expect(result.stdout).toMatch(new RegExp(`^Snapshot\\s+${join(bundle, 'snapshot.db')} `, 'm'));
    expect(result.stdout).toMatch(/^Integrity\s+ok: trailing SHA-256 matches/m);
    expect(result.stdout).toMatch(new RegExp(`^Revision\\s+${status.revision} `, 'm'));
    expect(result.stdout).toMatch(/^pods\s+2\s+1 {2}\(shop 2\)$/m);
    expect(result.stdout).not.toContain('WARNING');
  });

  it('reads a .tar bundle with --json, its snapshot through a temporary copy that is removed', async () => {
    const bundle = await makeBundle({ format: 'tar' });
    const result = await etcdDr(['inspect', '--json', bundle]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({
      ok: true,
      kind: 'bundle',
      path: bundle,
      format: 'tar',
      manifest: { cluster: { name: 'user-1', topology: 'controlplane-v2', ha: true } },
      disagreements: [],
    });
    expect(
      document.files.map((file: { path: string; verification: string }) => [file.path, file.verification]),
    ).toEqual([
      ['snapshot.db', 'ok'],
      ['pki/cp-1.tar', 'ok'],
      ['pki/cp-2.tar', 'ok'],
      ['pki/cp-3.tar', 'ok'],
      ['objects/kube-apiserver-pdb.yaml', 'ok'],
    ]);
    expect(document.snapshot.path).toBe(`${bundle}:snapshot.db`);
    expect(document.snapshot.status).toEqual(status);
    expect(document.snapshot.integrity.verdict).toBe('ok');
    expect(await readdir(scratch)).toEqual([]);
  });

  it('says an age-encrypted snapshot is not read, after verifying its stored bytes', async () => {
    const identity = join(dir, 'age-identity.txt');
    await run('age-keygen', ['-o', identity]);
    const recipient = (await readFile(identity, 'utf8')).match(/public key: (age1[0-9a-z]+)/)![1]!;
    const bundle = await makeBundle({ encryptTo: recipient });
    const result = await etcdDr(['inspect', bundle]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^snapshot\.db\.age\s+snapshot\s+-\s+\S+ KiB\s+age\s+ok /m);
    expect(result.stdout).toContain(
      'Snapshot  snapshot.db.age is encrypted with age; decrypt it to inspect its contents',
    );
  });

  it('warns when the manifest records other snapshot facts than the snapshot holds', async () => {
    const bundle = await makeBundle({ revision: status.revision + 5 });
    const result = await etcdDr(['inspect', bundle]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `WARNING: manifest says revision ${status.revision + 5}, the snapshot holds ${status.revision}`,
    );
  });

  it('refuses a flipped byte in a directory or .tar bundle with one line and exit 1', async () => {
    const directory = await makeBundle();
    await flipByte(join(directory, 'snapshot.db'), 5000);
    expectOneLineError(await etcdDr(['inspect', directory]), 'BUNDLE_FILE_MISMATCH');

    const tar = await makeBundle({ format: 'tar' });
    const location = await (await readBundle({ path: tar })).locateFile({ path: 'pki/cp-3.tar' });
    if (location.kind !== 'tar-range') throw new Error('expected a tar range');
    await flipByte(tar, location.offset + 2);
    const result = await etcdDr(['inspect', tar]);
    expectOneLineError(result, 'BUNDLE_FILE_MISMATCH');
    expect(result.stderr).toContain('pki/cp-3.tar does not match the manifest');

    const json = await etcdDr(['inspect', '--json', tar]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'BUNDLE_FILE_MISMATCH' } });
  });

  it('refuses a missing manifest, a newer format version, a missing file and a truncated tar', async () => {
    const noManifest = await makeBundle();
    await unlink(join(noManifest, 'manifest.json'));
    expectOneLineError(await etcdDr(['inspect', noManifest]), 'BUNDLE_MANIFEST_MISSING');
    expectOneLineError(await etcdDr(['inspect', scratch]), 'BUNDLE_MANIFEST_MISSING');

    const newer = await makeBundle();
    const manifest = JSON.parse(await readFile(join(newer, 'manifest.json'), 'utf8'));
    await writeFile(join(newer, 'manifest.json'), JSON.stringify({ ...manifest, formatVersion: 2 }));
    const version = await etcdDr(['inspect', newer]);
    expectOneLineError(version, 'BUNDLE_VERSION_UNSUPPORTED');
    expect(version.stderr).toContain('formatVersion 2');
    expect(version.stderr).toContain('upgrade etcd-dr');

    const missing = await makeBundle();
    await unlink(join(missing, 'pki/cp-1.tar'));
    expectOneLineError(await etcdDr(['inspect', missing]), 'BUNDLE_FILE_MISSING');

    const truncated = await makeBundle({ format: 'tar' });
    await truncate(truncated, (await stat(truncated)).size - 5000);
    expectOneLineError(await etcdDr(['inspect', truncated]), 'BUNDLE_TAR_INVALID');
  });

  it('names the snapshot inside a .tar bundle, not its temporary copy, when the snapshot is unreadable', async () => {
    const cut = join(dir, 'cut.db');
    await writeFile(cut, (await readFile(snapshot)).subarray(0, 4096 + 100));
    const bundle = await makeBundle({ format: 'tar', snapshotPath: cut });
    const result = await etcdDr(['inspect', bundle]);
    expectOneLineError(result, 'SNAPSHOT_TRUNCATED');
    expect(result.stderr).toContain(`${bundle}:snapshot.db`);
    expect(result.stderr).not.toContain(scratch);
    expect(await readdir(scratch)).toEqual([]);
  });
});
