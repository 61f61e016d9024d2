import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTarStream, type TarWriteEntry } from './create-tar-stream.js';
import { openTarEntry } from './open-tar-entry.js';
import { readTarIndex } from './read-tar-index.js';
import type { TarError } from './tar-error.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'etcd-dr-tar-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeTar(entries: TarWriteEntry[]): Promise<string> {
  const path = join(dir, 'archive.tar');
  await pipeline(Readable.from(createTarStream({ entries })), createWriteStream(path));
  return path;
}

describe('createTarStream + readTarIndex', () => {
  it('round-trips names, types, modes, owners, times and bytes, streaming content from a Readable', async () => {
    const longName = `objects/${'n'.repeat(300)}.yaml`;
    const mtime = new Date('2026-01-02T03:04:05Z');
    const path = await writeTar([
      { name: 'pki', type: 'directory', mode: 0o700, mtime },
      { name: 'pki/ca.key', content: Buffer.from('secret'), mode: 0o600, uid: 1000, gid: 2000, uname: 'u' },
      { name: longName, size: 1000, content: Readable.from([Buffer.alloc(600, 1), Buffer.alloc(400, 2)]) },
      { name: 'pki/current.pem', type: 'symlink', linkname: 'ca.key' },
      { name: 'empty' },
    ]);
    const entries = await readTarIndex({ path });
    expect(
      entries.map(({ name, type, size, mode, uid, gid, uname, linkname }) => ({
        name,
        type,
        size,
        mode,
        uid,
        gid,
        uname,
        linkname,
      })),
    ).toEqual([
      { name: 'pki/', type: 'directory', size: 0, mode: 0o700, uid: 0, gid: 0, uname: '', linkname: '' },
      {
        name: 'pki/ca.key',
        type: 'file',
        size: 6,
        mode: 0o600,
        uid: 1000,
        gid: 2000,
        uname: 'u',
        linkname: '',
      },
      { name: longName, type: 'file', size: 1000, mode: 0o644, uid: 0, gid: 0, uname: '', linkname: '' },
      {
        name: 'pki/current.pem',
        type: 'symlink',
        size: 0,
        mode: 0o777,
        uid: 0,
        gid: 0,
        uname: '',
        linkname: 'ca.key',
      },
      { name: 'empty', type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0, uname: '', linkname: '' },
    ]);
    expect(entries[0]!.mtime).toEqual(mtime);
    expect(await text(openTarEntry({ path, entry: entries[1]! }))).toBe('secret');
    const long = Buffer.concat(await openTarEntry({ path, entry: entries[2]! }).toArray());
    expect(long).toEqual(Buffer.concat([Buffer.alloc(600, 1), Buffer.alloc(400, 2)]));
    expect(await text(openTarEntry({ path, entry: entries[4]! }))).toBe('');
  });

  it('fails when streamed content is shorter than its declared size', async () => {
    const error = await writeTar([{ name: 'a', size: 10, content: Readable.from([Buffer.alloc(4)]) }]).catch(
      (caught: TarError) => caught,
    );
    expect((error as TarError).code).toBe('TAR_SIZE_MISMATCH');
    expect((error as TarError).message).toContain('declared as 10 bytes but its content has 4');
  });

  it('refuses names that escape the archive root', async () => {
    const error = await writeTar([{ name: '../etc/passwd', content: Buffer.from('x') }]).catch(
      (caught: TarError) => caught,
    );
    expect((error as TarError).code).toBe('TAR_ENTRY_INVALID');
  });
});

describe('readTarIndex of a tar inside a tar', () => {
  it('indexes a PKI archive stored in a .tar bundle in place, with absolute offsets for openTarEntry', async () => {
    const inner = Buffer.concat(
      await Readable.from(
        createTarStream({
          entries: [
            { name: 'etc/kubernetes/pki', type: 'directory', mode: 0o755 },
            { name: 'etc/kubernetes/pki/ca.key', content: Buffer.from('private'), mode: 0o600 },
          ],
        }),
      ).toArray(),
    );
    const path = await writeTar([
      { name: 'manifest.json', content: Buffer.from('{}') },
      { name: 'pki/cp-1.tar', content: inner },
    ]);
    const [, outerEntry] = await readTarIndex({ path });
    const entries = await readTarIndex({ path, offset: outerEntry!.dataOffset, length: outerEntry!.size });
    expect(entries.map((entry) => [entry.name, entry.mode])).toEqual([
      ['etc/kubernetes/pki/', 0o755],
      ['etc/kubernetes/pki/ca.key', 0o600],
    ]);
    expect(await text(openTarEntry({ path, entry: entries[1]! }))).toBe('private');
    const cut = (await readTarIndex({ path, offset: outerEntry!.dataOffset, length: 1024 }).catch(
      (caught: unknown) => caught,
    )) as TarError;
    expect(cut.code).toBe('TAR_TRUNCATED');
  });
});

describe('readTarIndex on damaged archives', () => {
  it('reports a tar cut inside an entry as truncated, naming the entry', async () => {
    const path = await writeTar([{ name: 'snapshot.db', content: Buffer.alloc(5000, 7) }]);
    await truncate(path, 512 + 3000);
    const error = (await readTarIndex({ path }).catch((caught: unknown) => caught)) as TarError;
    expect(error.code).toBe('TAR_TRUNCATED');
    expect(error.entry).toBe('snapshot.db');
  });

  it('reports a tar without its end-of-archive blocks as truncated', async () => {
    const path = await writeTar([{ name: 'a', content: Buffer.alloc(512, 7) }]);
    await truncate(path, 1024);
    const error = (await readTarIndex({ path }).catch((caught: unknown) => caught)) as TarError;
    expect(error.code).toBe('TAR_TRUNCATED');
    expect(error.message).toContain('without the end-of-archive blocks');
  });

  it('names the byte offset of a corrupt header and refuses a file that is not a tar', async () => {
    const notTar = join(dir, 'not.tar');
    await writeFile(notTar, 'hello world, not a tar'.repeat(40));
    const error = (await readTarIndex({ path: notTar }).catch((caught: unknown) => caught)) as TarError;
    expect(error.code).toBe('TAR_HEADER_INVALID');
    expect(error.message).toContain('at byte 0');
    const missing = (await readTarIndex({ path: join(dir, 'nope.tar') }).catch(
      (caught: unknown) => caught,
    )) as TarError;
    expect(missing.code).toBe('TAR_NOT_FOUND');
  });
});
