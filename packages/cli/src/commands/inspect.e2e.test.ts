import { copyFile, mkdtemp, open, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, startTestEtcd, type TestEtcd } from '../../../sdk/src/test-support/start-etcd.js';
import { expectOneLineError, runCli } from '../test-support/run-cli.js';

let etcd: TestEtcd;
let dir: string;
let snapshot: string;
let rawCopy: string;

const etcdDr = (args: string[]) => runCli(args);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'etcd-dr-cli-inspect-'));
  etcd = await startTestEtcd();
  for (const key of [
    '/registry/namespaces/shop',
    '/registry/pods/shop/cart-1',
    '/registry/pods/shop/cart-2',
    '/registry/pods/kube-system/coredns-1',
    '/registry/shop.example.com/carts/shop/cart-42',
  ]) {
    await etcd.etcdctl(['put', key, `{"key":"${key}"}`]);
  }
  await etcd.etcdctl(['del', '/registry/pods/shop/cart-2']);
  snapshot = join(dir, 'snapshot.db');
  await etcd.etcdctl(['snapshot', 'save', snapshot]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  rawCopy = join(dir, 'db');
  await copyFile(join(etcd.dataDir, 'member/snap/db'), rawCopy);
});

afterAll(async () => {
  await etcd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('etcd-dr inspect', () => {
  it('prints the verdict, revision, key counts and a resource table', async () => {
    const result = await etcdDr(['inspect', snapshot]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const status = JSON.parse(await run('etcdctl', ['snapshot', 'status', '-w', 'json', snapshot]));
    expect(result.stdout).toMatch(/^Integrity\s+ok: trailing SHA-256 matches/m);
    expect(result.stdout).toMatch(new RegExp(`^Revision\\s+${status.revision} `, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^Total keys\\s+${status.totalKey} in all buckets`, 'm'));
    expect(result.stdout).toMatch(/^RESOURCE\s+LIVE KEYS\s+NAMESPACES$/m);
    expect(result.stdout).toMatch(/^pods\s+2\s+2 {2}\(kube-system 1, shop 1\)$/m);
    expect(result.stdout).toMatch(/^namespaces\s+1\s+0 {2}\(cluster-scoped\)$/m);
    expect(result.stdout).toMatch(/^shop\.example\.com\/carts\s+1\s+1 {2}\(shop 1\)$/m);
  });

  it('prints one JSON document with --json that agrees with etcdctl snapshot status', async () => {
    const result = await etcdDr(['inspect', snapshot, '--json']);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    const status = JSON.parse(await run('etcdctl', ['snapshot', 'status', '-w', 'json', snapshot]));
    expect(document).toMatchObject({
      ok: true,
      kind: 'snapshot',
      path: snapshot,
      integrity: { verdict: 'ok' },
    });
    expect(document.status).toEqual(status);
    expect(document.fileSize).toBe((await stat(snapshot)).size);
    expect(document.liveKeys).toBe(4);
    expect(document.resources.map((entry: { resource: string }) => entry.resource)).toEqual([
      'namespaces',
      'pods',
      'shop.example.com/carts',
    ]);
  });

  it('exits 0 on a raw member/snap/db copy and says it is unhashed, not corrupt', async () => {
    const result = await etcdDr(['inspect', rawCopy]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Integrity\s+unhashed: .*not corrupt.*--skip-hash-check$/m);
    const json = JSON.parse((await etcdDr(['inspect', '--json', rawCopy])).stdout);
    expect(json.integrity).toEqual({ verdict: 'unhashed' });
  });

  it('fails with one line and exit 1 on a flipped byte, a cut-off file, a text file, a missing path', async () => {
    const flipped = join(dir, 'flipped.db');
    await copyFile(snapshot, flipped);
    const handle = await open(flipped, 'r+');
    await handle.write(Buffer.from([0xa5]), 0, 1, 2 * 4096 + 7);
    await handle.close();
    expectOneLineError(await etcdDr(['inspect', flipped]), 'SNAPSHOT_HASH_MISMATCH');

    const cut = join(dir, 'cut.db');
    await copyFile(snapshot, cut);
    await truncate(cut, (await stat(snapshot)).size - 4000);
    expectOneLineError(await etcdDr(['inspect', cut]), 'SNAPSHOT_TRUNCATED');

    const text = join(dir, 'notes.txt');
    await writeFile(text, 'hello\n'.repeat(2000));
    expectOneLineError(await etcdDr(['inspect', text]), 'SNAPSHOT_NOT_BBOLT');

    const empty = join(dir, 'empty.db');
    await writeFile(empty, '');
    expectOneLineError(await etcdDr(['inspect', empty]), 'SNAPSHOT_TRUNCATED');

    expectOneLineError(await etcdDr(['inspect', join(dir, 'missing.db')]), 'SNAPSHOT_NOT_FOUND');
    expectOneLineError(await etcdDr(['inspect', dir]), 'BUNDLE_MANIFEST_MISSING');
  });

  it('reports a failure as JSON on stdout with --json', async () => {
    const result = await etcdDr(['inspect', '--json', join(dir, 'missing.db')]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { code: 'SNAPSHOT_NOT_FOUND' } });
  });

  it('answers --help and rejects a missing path as a usage error', async () => {
    const help = await etcdDr(['inspect', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: etcd-dr inspect [options] <path>');
    expect(help.stdout).toContain('--json');
    expect(help.stdout).toContain('Exit status');
    const usage = await etcdDr(['inspect']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("missing required argument 'path'");
  });
});
