import { copyFile, mkdtemp, open, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdDrError } from '../errors/etcd-dr-error.js';
import { run, startTestEtcd, type TestEtcd } from '../test-support/start-etcd.js';
import { openBboltReader } from './bbolt-reader.js';
import { checkSnapshotHash } from './check-snapshot-hash.js';
import { inspectSnapshot } from './inspect-snapshot.js';
import { scanEtcdBackend } from './scan-etcd-backend.js';

let etcd: TestEtcd;
let dir: string;
let snapshotPath: string;
let rawCopyPath: string;
const live = new Set<string>();

async function put(key: string, value: string) {
  await etcd.etcdctl(['put', key, value]);
  live.add(key);
}
async function del(key: string) {
  await etcd.etcdctl(['del', key]);
  live.delete(key);
}
async function status(path: string) {
  return JSON.parse(await run('etcdctl', ['snapshot', 'status', '-w', 'json', path])) as {
    hash: number;
    revision: number;
    totalKey: number;
    totalSize: number;
  };
}
async function errorOf(promise: Promise<unknown>): Promise<EtcdDrError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(EtcdDrError.isInstance(error)).toBe(true);
  const line = (error as EtcdDrError).toLine();
  expect(line).not.toContain('\n');
  return error as EtcdDrError;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'etcd-dr-inspect-'));
  etcd = await startTestEtcd();
  await put('/registry/namespaces/default', 'ns');
  await put('/registry/namespaces/team-a', 'ns');
  await put('/registry/pods/default/web-1', 'v1');
  await put('/registry/pods/default/web-1', 'v2');
  await put('/registry/pods/default/web-2', 'v1');
  await put('/registry/pods/kube-system/coredns-1', 'v1');
  await put('/registry/pods/team-a/job-1', 'v1');
  await del('/registry/pods/default/web-2');
  await put('/registry/services/specs/default/kubernetes', 'svc');
  await put('/registry/services/endpoints/default/kubernetes', 'ep');
  await put('/registry/minions/node-1', 'node');
  await put('/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com', 'crd');
  await put('/registry/example.com/widgets/team-a/w1', 'w');
  await put('/registry/example.com/clusterwidgets/cw1', 'cw');
  await put('/registry/secrets/team-a/big', 'x'.repeat(20_000));
  // Values over several overflow pages, given on stdin (too long for one argument).
  for (const [name, size] of [
    ['huge-1', 70_000],
    ['huge-2', 300_000],
  ] as const) {
    await etcd.etcdctl(['put', `/registry/secrets/team-a/${name}`], { input: 'y'.repeat(size) });
    live.add(`/registry/secrets/team-a/${name}`);
  }
  await put('/other/app-key', 'o');
  const compactAt = Number(
    JSON.parse(await etcd.etcdctl(['get', '/registry/minions/node-1', '-w', 'json'])).header.revision,
  );
  await etcd.etcdctl(['compaction', String(compactAt)]);
  await put('/registry/pods/default/web-1', 'v3');
  await del('/registry/pods/team-a/job-1');
  await put('/registry/pods/default/web-2', 'recreated');
  const lease = (await etcd.etcdctl(['lease', 'grant', '600'])).match(/lease ([0-9a-f]+) granted/)![1]!;
  await etcd.etcdctl(['put', '--lease', lease, '/registry/leases/kube-node-lease/node-1', 'lease']);
  live.add('/registry/leases/kube-node-lease/node-1');
  // 300 config maps in three transactions (etcd allows 128 operations per transaction): enough keys
  // for branch pages in bucket `key`.
  for (let batch = 0; batch < 3; batch++) {
    const puts = Array.from({ length: 100 }, (_, offset) => {
      const index = batch * 100 + offset;
      return `put /registry/configmaps/bulk/cm-${index} "data-${index}"`;
    });
    await etcd.etcdctl(['txn'], { input: `\n${puts.join('\n')}\n\n\n` });
  }
  for (let index = 0; index < 300; index++) live.add(`/registry/configmaps/bulk/cm-${index}`);
  snapshotPath = join(dir, 'snapshot.db');
  await etcd.etcdctl(['snapshot', 'save', snapshotPath]);
  await new Promise((resolve) => setTimeout(resolve, 500));
  rawCopyPath = join(dir, 'raw-db');
  await copyFile(join(etcd.dataDir, 'member/snap/db'), rawCopyPath);
});

afterAll(async () => {
  await etcd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('inspectSnapshot on a real etcd snapshot', () => {
  it('agrees with etcdctl snapshot status on revision, total keys, hash and size', async () => {
    const inspection = await inspectSnapshot({ path: snapshotPath });
    const expected = await status(snapshotPath);
    expect(inspection.status).toEqual(expected);
    expect(inspection.integrity.verdict).toBe('ok');
    expect(inspection.fileSize).toBe((await stat(snapshotPath)).size);
    expect(inspection.fileSize % inspection.pageSize).toBe(32);
  });

  it('gets the same status hash whether large values are checksummed on a worker or not', async () => {
    const expected = await status(snapshotPath);
    for (const offloadValuesOver of [Number.POSITIVE_INFINITY, 1024, 8192]) {
      const reader = openBboltReader({ path: snapshotPath, readAheadBytes: 16 * 1024 });
      try {
        const scan = await scanEtcdBackend({ reader, offloadValuesOver });
        expect(scan.status, `offload over ${offloadValuesOver}`).toEqual(expected);
        expect(scan.liveKeys.length).toBe(live.size);
      } finally {
        reader.close();
      }
    }
  });

  it('reports the compaction and the keys that are live, per resource and namespace', async () => {
    const inspection = await inspectSnapshot({ path: snapshotPath });
    expect(inspection.compactedRevision).toBeGreaterThan(1);
    expect(inspection.scheduledCompactRevision).toBe(inspection.compactedRevision);
    expect(inspection.liveKeys).toBe(live.size);
    const byResource = Object.fromEntries(
      inspection.resources.map((entry) => [
        entry.resource,
        { live: entry.liveKeys, cluster: entry.clusterScoped, ns: entry.namespaces },
      ]),
    );
    expect(byResource).toEqual({
      '(other)': { live: 1, cluster: 1, ns: {} },
      'apiextensions.k8s.io/customresourcedefinitions': { live: 1, cluster: 1, ns: {} },
      configmaps: { live: 300, cluster: 0, ns: { bulk: 300 } },
      endpoints: { live: 1, cluster: 0, ns: { default: 1 } },
      'example.com/clusterwidgets': { live: 1, cluster: 1, ns: {} },
      'example.com/widgets': { live: 1, cluster: 0, ns: { 'team-a': 1 } },
      leases: { live: 1, cluster: 0, ns: { 'kube-node-lease': 1 } },
      minions: { live: 1, cluster: 1, ns: {} },
      namespaces: { live: 2, cluster: 2, ns: {} },
      pods: { live: 3, cluster: 0, ns: { default: 2, 'kube-system': 1 } },
      secrets: { live: 3, cluster: 0, ns: { 'team-a': 3 } },
      services: { live: 1, cluster: 0, ns: { default: 1 } },
    });
    expect(inspection.namespaces).toEqual([
      { namespace: 'bulk', liveKeys: 300 },
      { namespace: 'default', liveKeys: 4 },
      { namespace: 'kube-node-lease', liveKeys: 1 },
      { namespace: 'kube-system', liveKeys: 1 },
      { namespace: 'team-a', liveKeys: 4 },
    ]);
  });

  it('counts exactly the keys etcd itself serves under each prefix', async () => {
    const inspection = await inspectSnapshot({ path: snapshotPath });
    for (const prefix of [
      '/registry/pods/',
      '/registry/configmaps/',
      '/registry/example.com/',
      '/registry/',
    ]) {
      const served = JSON.parse(
        await etcd.etcdctl(['get', prefix, '--prefix', '--keys-only', '-w', 'json']),
      ) as {
        count?: number;
      };
      const counted = inspection.resources
        .filter((entry) => prefix === '/registry/' || `/registry/${entry.resource}/`.startsWith(prefix))
        .filter((entry) => entry.resource !== '(other)')
        .reduce((sum, entry) => sum + entry.liveKeys, 0);
      expect(counted, prefix).toBe(served.count ?? 0);
    }
  });

  it('calls a raw member/snap/db copy unhashed, not corrupt, and agrees with etcdctl on it', async () => {
    const inspection = await inspectSnapshot({ path: rawCopyPath });
    expect(inspection.integrity).toEqual({ verdict: 'unhashed' });
    const expected = await status(rawCopyPath);
    expect(inspection.status.revision).toBe(expected.revision);
    expect(inspection.status.totalKey).toBe(expected.totalKey);
    expect(inspection.status.hash).toBe(expected.hash);
    const error = await errorOf(inspectSnapshot({ path: rawCopyPath, requireHash: true }));
    expect(error.code).toBe('SNAPSHOT_UNHASHED');
    expect(error.toLine()).toContain('--skip-hash-check');
  });

  it('refuses a snapshot with one flipped byte', async () => {
    const flipped = join(dir, 'flipped.db');
    await copyFile(snapshotPath, flipped);
    const handle = await open(flipped, 'r+');
    const offset = 3 * 4096 + 100;
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, offset);
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, offset);
    await handle.close();
    const error = await errorOf(inspectSnapshot({ path: flipped }));
    expect(error.code).toBe('SNAPSHOT_HASH_MISMATCH');
    expect(error.message).toContain(flipped);
    const check = await checkSnapshotHash({ path: flipped });
    expect(check.verdict).toBe('mismatch');
  });

  it('reads a snapshot whose hash does not match when asked to, and reports the mismatch', async () => {
    const badTrailer = join(dir, 'bad-trailer.db');
    await copyFile(snapshotPath, badTrailer);
    const size = (await stat(badTrailer)).size;
    const handle = await open(badTrailer, 'r+');
    await handle.write(Buffer.from([0x00, 0x01, 0x02, 0x03]), 0, 4, size - 4);
    await handle.close();
    expect((await errorOf(inspectSnapshot({ path: badTrailer }))).code).toBe('SNAPSHOT_HASH_MISMATCH');
    const inspection = await inspectSnapshot({ path: badTrailer, allowHashMismatch: true });
    expect(inspection.integrity).toMatchObject({ verdict: 'mismatch' });
    expect(inspection.status).toEqual(await status(snapshotPath));
  });

  it('calls a raw copy with a damaged page or damaged meta pages corrupt', async () => {
    const reader = openBboltReader({ path: rawCopyPath });
    const { rootPageId, pageSize } = reader.meta;
    reader.close();
    const badRoot = join(dir, 'bad-root.db');
    await copyFile(rawCopyPath, badRoot);
    let handle = await open(badRoot, 'r+');
    await handle.write(Buffer.from([0xff]), 0, 1, rootPageId * pageSize);
    await handle.close();
    const rootError = await errorOf(inspectSnapshot({ path: badRoot }));
    expect(rootError.code).toBe('SNAPSHOT_CORRUPT');
    expect(rootError.message).toContain(`page ${rootPageId} identifies itself as page`);

    const badMetas = join(dir, 'bad-metas.db');
    await copyFile(rawCopyPath, badMetas);
    handle = await open(badMetas, 'r+');
    for (const metaPage of [0, 1])
      await handle.write(Buffer.from([0x7f]), 0, 1, metaPage * pageSize + 16 + 48);
    await handle.close();
    const metaError = await errorOf(inspectSnapshot({ path: badMetas }));
    expect(metaError.code).toBe('SNAPSHOT_CORRUPT');
    expect(metaError.message).toContain('both bbolt meta pages');
  });

  it('calls cut-off files truncated', async () => {
    const size = (await stat(snapshotPath)).size;
    const midPage = join(dir, 'mid-page.db');
    await copyFile(snapshotPath, midPage);
    await truncate(midPage, size - 1000);
    expect((await errorOf(inspectSnapshot({ path: midPage }))).code).toBe('SNAPSHOT_TRUNCATED');
    const wholePages = join(dir, 'whole-pages.db');
    await copyFile(snapshotPath, wholePages);
    await truncate(wholePages, 4 * 4096);
    const error = await errorOf(inspectSnapshot({ path: wholePages }));
    expect(error.code).toBe('SNAPSHOT_TRUNCATED');
    expect(error.message).toMatch(/but the file has 16384/);
  });

  it('names a file that is not a snapshot, an empty one and a missing one', async () => {
    const text = join(dir, 'notes.txt');
    await writeFile(text, 'these are not the pages you are looking for\n'.repeat(200));
    expect((await errorOf(inspectSnapshot({ path: text }))).code).toBe('SNAPSHOT_NOT_BBOLT');
    const empty = join(dir, 'empty.db');
    await writeFile(empty, '');
    const emptyError = await errorOf(inspectSnapshot({ path: empty }));
    expect(emptyError.code).toBe('SNAPSHOT_TRUNCATED');
    expect(emptyError.message).toContain('empty');
    const missing = await errorOf(inspectSnapshot({ path: join(dir, 'missing.db') }));
    expect(missing.code).toBe('SNAPSHOT_NOT_FOUND');
    expect(missing.toLine()).toContain('missing.db: ENOENT');
  });
});
