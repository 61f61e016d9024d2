import { access, mkdtemp, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BundleError } from './bundle-error.js';
import { readBundle } from './read-bundle.js';
import { writeSampleBundle } from './sample-bundle.test-support.js';
import { withBundleFileOnDisk } from './with-bundle-file-on-disk.js';

// Every file and folder is fsynced; on a busy shared disk one commit can take seconds.
const fsyncTimeout = { timeout: 60_000 };

let dir: string;
let scratch: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'etcd-dr-bundle-on-disk-'));
  scratch = await mkdtemp(join(tmpdir(), 'etcd-dr-bundle-scratch-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

describe('withBundleFileOnDisk', fsyncTimeout, () => {
  it('hands over the stored file itself for a directory bundle', async () => {
    const { path } = await writeSampleBundle({ directory: dir });
    const bundle = await readBundle({ path });
    const seen = await withBundleFileOnDisk({
      bundle,
      path: 'snapshot.db',
      use: async (filePath) => filePath,
    });
    expect(seen).toBe(join(path, 'snapshot.db'));
  });

  it('copies a .tar entry to a 0600 temporary file and removes it afterwards, also when use throws', async () => {
    const { path, contents } = await writeSampleBundle({ directory: dir, format: 'tar' });
    const bundle = await readBundle({ path });
    let copied = '';
    const bytes = await withBundleFileOnDisk({
      bundle,
      path: 'snapshot.db',
      temporaryDirectory: scratch,
      use: async (filePath) => {
        copied = filePath;
        expect((await stat(filePath)).mode & 0o7777).toBe(0o600);
        return readFile(filePath);
      },
    });
    expect(bytes).toEqual(contents.get('snapshot.db'));
    await expect(access(copied)).rejects.toThrow();
    const failure = await withBundleFileOnDisk({
      bundle,
      path: 'snapshot.db',
      temporaryDirectory: scratch,
      use: async () => {
        throw new Error('reader failed');
      },
    }).catch((error: Error) => error.message);
    expect(failure).toBe('reader failed');
    expect(await readdir(scratch)).toEqual([]);
  });

  it('refuses a .tar entry whose bytes differ from the manifest', async () => {
    const { path } = await writeSampleBundle({ directory: dir, format: 'tar' });
    const bundle = await readBundle({ path });
    const location = await bundle.locateFile({ path: 'snapshot.db' });
    if (location.kind !== 'tar-range') throw new Error('expected a tar range');
    const handle = await open(path, 'r+');
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, location.offset + 10);
    await handle.write(Buffer.from([byte[0]! ^ 0xff]), 0, 1, location.offset + 10);
    await handle.close();
    const error = (await withBundleFileOnDisk({
      bundle,
      path: 'snapshot.db',
      temporaryDirectory: scratch,
      use: async () => 'used',
    }).catch((caught) => caught)) as BundleError;
    expect(error.code).toBe('BUNDLE_FILE_MISMATCH');
    expect(await readdir(scratch)).toEqual([]);
  });
});
