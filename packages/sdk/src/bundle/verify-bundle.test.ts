import { createWriteStream } from 'node:fs';
import {
  mkdtemp,
  open,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  truncate,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTarStream, type TarWriteEntry } from '../tar/create-tar-stream.js';
import type { BundleError } from './bundle-error.js';
import { readBundle } from './read-bundle.js';
import { sampleManifestFields, writeSampleBundle } from './sample-bundle.test-support.js';
import { verifyBundle } from './verify-bundle.js';

// Every file and folder is fsynced; on a busy shared disk one commit can take seconds.
const fsyncTimeout = { timeout: 60_000 };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'etcd-dr-bundle-verify-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function flipByte(path: string, position: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, position);
    byte[0] = byte[0]! ^ 0x01;
    await handle.write(byte, 0, 1, position);
  } finally {
    await handle.close();
  }
}

async function readError(path: string): Promise<BundleError> {
  return readBundle({ path }).then(
    () => {
      throw new Error('readBundle accepted the bundle');
    },
    (error: BundleError) => error,
  );
}

describe.each(['directory', 'tar'] as const)('a %s bundle', fsyncTimeout, (format) => {
  it('round-trips: manifest, every file streamed back byte for byte, and verifies ok', async () => {
    const { path, contents } = await writeSampleBundle({ directory: dir, format });
    const bundle = await readBundle({ path });
    expect(bundle.format).toBe(format);
    expect(bundle.manifest.cluster).toEqual(sampleManifestFields.cluster);
    expect(bundle.manifest.files.map((file) => file.path)).toEqual([...contents.keys()]);
    for (const [file, bytes] of contents) {
      expect(Buffer.concat(await (await bundle.openFile({ path: file })).toArray())).toEqual(bytes);
    }
    const verification = await verifyBundle({ bundle });
    expect(verification.ok).toBe(true);
    expect(verification.files.map((file) => file.status)).toEqual(Array(contents.size).fill('ok'));
  });

  it('refuses a single flipped byte in the snapshot with BUNDLE_FILE_MISMATCH naming the file', async () => {
    const { path } = await writeSampleBundle({ directory: dir, format });
    const bundle = await readBundle({ path });
    const location = await bundle.locateFile({ path: 'snapshot.db' });
    await flipByte(location.path, (location.kind === 'tar-range' ? location.offset : 0) + 123_456);
    const verification = await verifyBundle({ path });
    expect(verification.ok).toBe(false);
    if (verification.ok) return;
    expect(verification.files.find((file) => file.file.path === 'snapshot.db')?.status).toBe('mismatch');
    expect(verification.files.filter((file) => file.status === 'ok')).toHaveLength(5);
    expect(verification.error.code).toBe('BUNDLE_FILE_MISMATCH');
    expect(verification.error.file).toBe('snapshot.db');
    expect(verification.error.toLine()).toMatch(
      /^BUNDLE_FILE_MISMATCH: bundle .*: snapshot\.db does not match the manifest \(300000 bytes, .*; do not restore from it/,
    );
  });

  it('refuses a newer format version, naming it and asking to upgrade etcd-dr', async () => {
    const source = await writeSampleBundle({ directory: dir, name: 'source' });
    const manifest = JSON.parse(await readFile(join(source.path, 'manifest.json'), 'utf8'));
    manifest.formatVersion = 7;
    await writeFile(join(source.path, 'manifest.json'), JSON.stringify(manifest));
    const path = format === 'tar' ? await packDirectory(source.path) : source.path;
    const error = await readError(path);
    expect(error.code).toBe('BUNDLE_VERSION_UNSUPPORTED');
    expect(error.toLine()).toContain('formatVersion 7');
    expect(error.toLine()).toContain('upgrade etcd-dr');
  });
});

/** Packs a directory with the SDK's tar writer, entry names prefixed like `tar -cf out.tar .` writes them. */
async function packDirectory(directory: string, options: { prefix?: string; extra?: TarWriteEntry[] } = {}) {
  const prefix = options.prefix ?? './';
  const out = `${directory}.tar`;
  const entries: TarWriteEntry[] = [];
  for (const name of (await readdir(directory, { recursive: true })).sort()) {
    const info = await stat(join(directory, name));
    entries.push(
      info.isDirectory()
        ? { name: `${prefix}${name}`, type: 'directory' }
        : { name: `${prefix}${name}`, content: await readFile(join(directory, name)) },
    );
  }
  entries.push(...(options.extra ?? []));
  await pipeline(Readable.from(createTarStream({ entries })), createWriteStream(out));
  return out;
}

describe('damaged directory bundles', fsyncTimeout, () => {
  it('reports a missing file with BUNDLE_FILE_MISSING', async () => {
    const { path } = await writeSampleBundle({ directory: dir });
    await unlink(join(path, 'pki/cp-2.tar'));
    const verification = await verifyBundle({ path });
    expect(verification.ok).toBe(false);
    if (verification.ok) return;
    expect(verification.error.code).toBe('BUNDLE_FILE_MISSING');
    expect(verification.error.toLine()).toMatch(/pki\/cp-2\.tar is listed in the manifest but missing/);
    expect(verification.files.find((file) => file.file.path === 'pki/cp-2.tar')?.status).toBe('missing');
  });

  it('reports files the manifest does not list, and a listed file replaced by a symlink', async () => {
    const { path } = await writeSampleBundle({ directory: dir });
    await writeFile(join(path, 'objects/extra.yaml'), 'kind: Secret\n');
    const extra = await verifyBundle({ path });
    expect(extra.ok).toBe(false);
    if (extra.ok) return;
    expect(extra.error.code).toBe('BUNDLE_FILE_UNEXPECTED');
    expect(extra.unexpected).toEqual(['objects/extra.yaml']);
    await rm(join(path, 'objects/extra.yaml'));
    await rm(join(path, 'pki/cp-1.tar'));
    await symlink(join(path, 'pki/cp-2.tar'), join(path, 'pki/cp-1.tar'));
    const linked = await verifyBundle({ path });
    expect(linked.ok).toBe(false);
    expect(linked.files.find((file) => file.file.path === 'pki/cp-1.tar')?.status).toBe('missing');
  });

  it('reports a missing manifest, a missing bundle and a manifest that is not JSON', async () => {
    const { path } = await writeSampleBundle({ directory: dir });
    await writeFile(join(path, 'manifest.json'), '{"formatVersion": 1, "tool": ');
    expect((await readError(path)).code).toBe('BUNDLE_MANIFEST_INVALID');
    await unlink(join(path, 'manifest.json'));
    const missing = await readError(path);
    expect(missing.code).toBe('BUNDLE_MANIFEST_MISSING');
    expect(missing.toLine()).toMatch(/has no manifest\.json: it is incomplete/);
    expect((await readError(join(dir, 'nope'))).code).toBe('BUNDLE_NOT_FOUND');
  });
});

describe('damaged .tar bundles', fsyncTimeout, () => {
  it('reports a truncated tar, naming the entry it was cut in', async () => {
    const { path } = await writeSampleBundle({ directory: dir, format: 'tar' });
    const bundle = await readBundle({ path });
    const location = await bundle.locateFile({ path: 'snapshot.db' });
    if (location.kind !== 'tar-range') throw new Error('expected a tar range');
    await truncate(path, location.offset + 1000);
    const error = await readError(path);
    expect(error.code).toBe('BUNDLE_TAR_INVALID');
    expect(error.file).toBe('snapshot.db');
    expect(error.toLine()).toMatch(/is a truncated tar .*; the copy is incomplete/);
    const size = (await stat(path)).size;
    await truncate(path, size - (size % 512));
    expect((await readError(path)).code).toBe('BUNDLE_TAR_INVALID');
  });

  it('reports a tar without manifest.json, a file that is not a tar, and an entry stored twice', async () => {
    const { path } = await writeSampleBundle({ directory: dir, format: 'tar' });
    const plain = join(dir, 'plain.txt');
    await writeFile(plain, 'not a tar at all '.repeat(100));
    expect((await readError(plain)).code).toBe('BUNDLE_TAR_INVALID');

    const manifestOnly = await writeSampleBundle({ directory: dir, name: 'no-manifest' });
    await unlink(join(manifestOnly.path, 'manifest.json'));
    expect((await readError(await packDirectory(manifestOnly.path))).code).toBe('BUNDLE_MANIFEST_MISSING');

    const source = await writeSampleBundle({ directory: dir, name: 'twice' });
    const twicePath = await packDirectory(source.path, {
      prefix: '',
      extra: [{ name: 'snapshot.db', content: Buffer.from('db') }],
    });
    const twice = await verifyBundle({ path: twicePath });
    expect(twice.ok).toBe(false);
    if (twice.ok) return;
    expect(twice.unexpected).toEqual(['snapshot.db (stored more than once)']);
    expect(twice.files.find((file) => file.file.path === 'snapshot.db')?.status).toBe('mismatch');
    expect(path).toMatch(/\.tar$/);
  });

  it('reads a bundle directory packed with its top-level folder, as `tar -cf b.tar bundle/` does', async () => {
    const { path, contents } = await writeSampleBundle({ directory: dir, name: 'packed' });
    const packed = await packDirectory(path, { prefix: 'packed/' });
    const verification = await verifyBundle({ path: packed });
    expect(verification.ok).toBe(true);
    expect(verification.files).toHaveLength(contents.size);
  });
});
