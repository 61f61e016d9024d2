import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EtcdDrError } from '../errors/etcd-dr-error.js';
import type { BundleError } from './bundle-error.js';
import { createBundleWriter } from './create-bundle-writer.js';
import { sampleManifestFields, writeSampleBundle } from './sample-bundle.test-support.js';

// Every file and folder is fsynced; on a busy shared disk one commit can take seconds.
const fsyncTimeout = { timeout: 60_000 };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'etcd-dr-bundle-writer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function modesUnder(root: string): Promise<Map<string, number>> {
  const modes = new Map<string, number>();
  for (const entry of await readdir(root, { recursive: true })) {
    modes.set(entry, (await stat(join(root, entry))).mode & 0o7777);
  }
  return modes;
}

describe('createBundleWriter', fsyncTimeout, () => {
  it('commits a directory bundle with files 0600, folders 0700 and manifest.json recording size and sha256', async () => {
    const { path, contents } = await writeSampleBundle({ directory: dir });
    expect(path).toBe(join(dir, 'user-1-20261126T140000Z'));
    expect(await readdir(dir)).toEqual(['user-1-20261126T140000Z']);
    expect((await stat(path)).mode & 0o7777).toBe(0o700);
    const modes = await modesUnder(path);
    expect(modes.get('manifest.json')).toBe(0o600);
    expect(modes.get('snapshot.db')).toBe(0o600);
    expect(modes.get('pki')).toBe(0o700);
    expect(modes.get('admin')).toBe(0o700);
    expect(modes.get('admin/snapshot.db.age')).toBe(0o600);
    const manifest = JSON.parse(await readFile(join(path, 'manifest.json'), 'utf8'));
    expect(manifest.formatVersion).toBe(1);
    const snapshot = manifest.files.find((file: { role: string }) => file.role === 'snapshot');
    expect(snapshot).toEqual({
      path: 'snapshot.db',
      role: 'snapshot',
      size: 300_000,
      sha256: createHash('sha256').update(contents.get('snapshot.db')!).digest('hex'),
      encryption: 'none',
    });
    expect(await readFile(join(path, 'snapshot.db'))).toEqual(contents.get('snapshot.db'));
  });

  it('packs a .tar bundle (0600) and leaves no temporary directory or file behind', async () => {
    const { path } = await writeSampleBundle({ directory: dir, format: 'tar' });
    expect(path).toBe(join(dir, 'user-1-20261126T140000Z.tar'));
    expect(await readdir(dir)).toEqual(['user-1-20261126T140000Z.tar']);
    expect((await stat(path)).mode & 0o7777).toBe(0o600);
  });

  it('keeps everything in a hidden temporary sibling until commit, and abort removes it', async () => {
    const writer = await createBundleWriter({ directory: dir, name: 'b1' });
    await writer.addFile({ path: 'snapshot.db', role: 'snapshot', content: 'x' });
    const [temporary] = await readdir(dir);
    expect(temporary).toMatch(/^\.b1\.partial-[0-9a-f]{12}$/);
    expect(await readdir(join(dir, temporary!))).toEqual(['snapshot.db']);
    await writer.abort();
    expect(await readdir(dir)).toEqual([]);
    const closed = await writer
      .addFile({ path: 'objects/a', role: 'object', content: 'x' })
      .catch((error) => error);
    expect((closed as BundleError).code).toBe('BUNDLE_WRITER_CLOSED');
  });

  it('removes everything when a content stream fails mid-way, and rethrows its error', async () => {
    const writer = await createBundleWriter({ directory: dir, name: 'b2' });
    async function* failing() {
      yield Buffer.alloc(1000);
      throw new EtcdDrError({
        code: 'KUBE_EXEC_FAILED',
        message: 'exec into kube-etcd-0 ended with status 1',
      });
    }
    const error = await writer
      .addFile({ path: 'snapshot.db', role: 'snapshot', content: failing() })
      .catch((caught) => caught);
    expect((error as EtcdDrError).code).toBe('KUBE_EXEC_FAILED');
    expect(await readdir(dir)).toEqual([]);
    const commit = await writer.commit(sampleManifestFields).catch((caught) => caught);
    expect((commit as BundleError).code).toBe('BUNDLE_WRITER_CLOSED');
  });

  it('refuses a commit with an invalid manifest field, leaving nothing behind', async () => {
    const writer = await createBundleWriter({ directory: dir, name: 'b3', format: 'tar' });
    await writer.addFile({ path: 'snapshot.db', role: 'snapshot', content: 'x' });
    const error = (await writer
      .commit({ ...sampleManifestFields, snapshot: { revision: -1, totalKeys: 0, hash: 'hashed' } })
      .catch((caught) => caught)) as BundleError;
    expect(error.code).toBe('BUNDLE_MANIFEST_INVALID');
    expect(error.message).toContain('field snapshot.revision');
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a commit without a snapshot file', async () => {
    const writer = await createBundleWriter({ directory: dir, name: 'b4' });
    await writer.addFile({
      path: 'objects/pdb.yaml',
      role: 'object',
      content: 'kind: PodDisruptionBudget\n',
    });
    const error = (await writer.commit(sampleManifestFields).catch((caught) => caught)) as BundleError;
    expect(error.message).toContain('needs exactly one file with role snapshot, has 0');
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses bad and duplicate paths, and a PKI archive without its node', async () => {
    const writer = await createBundleWriter({ directory: dir, name: 'b5' });
    const code = (promise: Promise<unknown>) =>
      promise.then(
        () => 'ok',
        (error: BundleError) => error.code,
      );
    expect(await code(writer.addFile({ path: '../escape', role: 'object', content: 'x' }))).toBe(
      'BUNDLE_FILE_INVALID',
    );
    const fresh = await createBundleWriter({ directory: dir, name: 'b6' });
    await fresh.addFile({ path: 'objects/a.yaml', role: 'object', content: 'x' });
    expect(await code(fresh.addFile({ path: 'objects/a.yaml', role: 'object', content: 'y' }))).toBe(
      'BUNDLE_FILE_INVALID',
    );
    const third = await createBundleWriter({ directory: dir, name: 'b7' });
    const pki = await third
      .addFile({ path: 'pki/cp-1.tar', role: 'pki', content: 'x' })
      .catch((error) => error);
    expect((pki as BundleError).message).toContain('node: pki and admin-pki files need the node');
    const fourth = await createBundleWriter({ directory: dir, name: 'b8' });
    const age = await fourth
      .addFile({ path: 'snapshot.db', role: 'snapshot', encryption: 'age', content: 'x' })
      .catch((error) => error);
    expect((age as BundleError).code).toBe('BUNDLE_FILE_INVALID');
    expect(await readdir(dir)).toEqual([]);
  });

  it('never overwrites an existing bundle, found at start or at commit', async () => {
    await mkdir(join(dir, 'taken'));
    const early = await createBundleWriter({ directory: dir, name: 'taken' }).catch((error) => error);
    expect((early as BundleError).code).toBe('BUNDLE_EXISTS');
    const writer = await createBundleWriter({ directory: dir, name: 'late', format: 'tar' });
    await writer.addFile({
      path: 'snapshot.db',
      role: 'snapshot',
      content: Readable.from([Buffer.from('db')]),
    });
    await writeFile(join(dir, 'late.tar'), 'someone else');
    const late = (await writer.commit(sampleManifestFields).catch((error) => error)) as BundleError;
    expect(late.code).toBe('BUNDLE_EXISTS');
    expect(await readFile(join(dir, 'late.tar'), 'utf8')).toBe('someone else');
    expect((await readdir(dir)).sort()).toEqual(['late.tar', 'taken']);
  });

  it('writes many small chunks in order, whole and hashed, pulling only a bounded batch ahead of the disk', async () => {
    const writer = await createBundleWriter({ directory: dir, name: 'small-chunks' });
    const chunks = Array.from({ length: 3000 }, (_, index) => randomBytes(1 + ((index * 7919) % 4000)));
    let pulled = 0;
    let maxAhead = 0;
    const path = join(writer.temporaryPath, 'snapshot.db');
    async function* content() {
      for (const chunk of chunks) {
        const onDisk = await stat(path).then(
          (found) => found.size,
          () => 0,
        );
        maxAhead = Math.max(maxAhead, pulled - onDisk);
        pulled += chunk.length;
        yield chunk;
      }
    }
    const stored = await writer.addFile({ path: 'snapshot.db', role: 'snapshot', content: content() });
    const whole = Buffer.concat(chunks);
    expect(stored.size).toBe(whole.length);
    expect(stored.sha256).toBe(createHash('sha256').update(whole).digest('hex'));
    expect((await readFile(path)).equals(whole)).toBe(true);
    // One batch being written and one being filled: about 2 MiB at most, never the whole content.
    expect(maxAhead).toBeLessThanOrEqual(2 * 1024 * 1024 + 4000);
    await writer.abort();
  });

  it("takes the producer's digest instead of hashing again, and refuses one that covers other bytes", async () => {
    const writer = await createBundleWriter({ directory: dir, name: 'digest' });
    const content = randomBytes(10_000);
    const given = 'ab'.repeat(32);
    const stored = await writer.addFile({
      path: 'snapshot.db',
      role: 'snapshot',
      content: [content.subarray(0, 5000), content.subarray(5000)],
      digest: () => ({ size: content.length, sha256: given }),
    });
    expect(stored).toMatchObject({ size: content.length, sha256: given });
    await writer.abort();
    const other = await createBundleWriter({ directory: dir, name: 'digest-short' });
    const error = (await other
      .addFile({
        path: 'snapshot.db',
        role: 'snapshot',
        content: [content],
        digest: () => ({ size: content.length - 1, sha256: given }),
      })
      .catch((caught) => caught)) as BundleError;
    expect(error.code).toBe('BUNDLE_FILE_MISMATCH');
    expect(error.message).toContain('covers 9999 bytes, but 10000 were written');
    expect(await readdir(dir)).toEqual([]);
  });

  it('aborts an uncommitted writer at the end of an `await using` block', async () => {
    {
      await using writer = await createBundleWriter({ directory: dir, name: 'scoped' });
      await writer.addFile({ path: 'snapshot.db', role: 'snapshot', content: 'x' });
    }
    expect(await readdir(dir)).toEqual([]);
  });
});
