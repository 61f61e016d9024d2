import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTarStream } from './create-tar-stream.js';
import { openTarEntry } from './open-tar-entry.js';
import { readTarIndex, type TarEntry } from './read-tar-index.js';

// Interoperability with the real GNU tar (Debian's tar 1.34): nodes produce PKI archives with
// `sudo tar -C / -cf - etc/kubernetes/pki`, and users unpack bundles with `tar -xf`.
const run = promisify(execFile);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'etcd-dr-gnutar-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const longDirectory = `very-long-directory-name-${'d'.repeat(90)}`;
const longFile = `long-file-name-${'f'.repeat(120)}.crt`;
const longTarget = `${'t'.repeat(130)}/target.pem`;
const mtime = new Date('2026-03-04T05:06:07Z');

/** Builds a tree like a node's /etc/kubernetes/pki, with the awkward cases GNU tar encodes specially. */
async function makePkiTree(root: string): Promise<Record<string, Buffer>> {
  const pki = join(root, 'etc/kubernetes/pki');
  await mkdir(join(pki, 'etcd'), { recursive: true });
  await mkdir(join(pki, longDirectory), { recursive: true });
  const files: Record<string, Buffer> = {
    'etc/kubernetes/pki/ca.crt': randomBytes(1200),
    'etc/kubernetes/pki/ca.key': randomBytes(1679),
    'etc/kubernetes/pki/etcd/server.key': randomBytes(512),
    'etc/kubernetes/pki/etcd/empty': Buffer.alloc(0),
    [`etc/kubernetes/pki/${longDirectory}/${longFile}`]: randomBytes(70_001),
  };
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(root, name), bytes);
  await chmod(join(pki, 'ca.crt'), 0o644);
  await chmod(join(pki, 'ca.key'), 0o600);
  await chmod(join(pki, 'etcd/server.key'), 0o600);
  await chmod(join(pki, 'etcd'), 0o700);
  await symlink('ca.crt', join(pki, 'ca-link.crt'));
  await symlink(longTarget, join(pki, 'long-link'));
  for (const name of Object.keys(files)) await utimes(join(root, name), mtime, mtime);
  return files;
}

function byName(entries: TarEntry[]): Map<string, TarEntry> {
  return new Map(entries.map((entry) => [entry.name, entry]));
}

describe.each(['gnu', 'pax', 'ustar'] as const)('archives written by GNU tar --format=%s', (format) => {
  it('are indexed with names, types, modes, owners, times and link targets, and stream exact bytes', async () => {
    const root = join(dir, 'root');
    const files = await makePkiTree(root);
    const archive = join(dir, 'pki.tar');
    const members =
      format === 'ustar' ? ['etc/kubernetes/pki/ca.crt', 'etc/kubernetes/pki/etcd'] : ['etc/kubernetes/pki'];
    await run('tar', [
      `--format=${format}`,
      '--numeric-owner',
      '--owner=1234',
      '--group=5678',
      '-C',
      root,
      '-cf',
      archive,
      ...members,
    ]);
    const entries = byName(await readTarIndex({ path: archive }));
    const expectedNames = format === 'ustar' ? ['etc/kubernetes/pki/ca.crt', 'etc/kubernetes/pki/etcd/'] : [];
    for (const name of expectedNames) expect(entries.has(name)).toBe(true);
    for (const [name, bytes] of Object.entries(files)) {
      if (format === 'ustar' && !expectedNames.some((prefix) => name.startsWith(prefix))) continue;
      const entry = entries.get(name);
      expect(entry, name).toBeDefined();
      expect(entry!.type).toBe('file');
      expect(entry!.size).toBe(bytes.length);
      expect(entry!.uid).toBe(1234);
      expect(entry!.gid).toBe(5678);
      expect(entry!.mtime).toEqual(mtime);
      expect(Buffer.concat(await openTarEntry({ path: archive, entry: entry! }).toArray())).toEqual(bytes);
    }
    expect(entries.get('etc/kubernetes/pki/etcd/')).toMatchObject({ type: 'directory', mode: 0o700 });
    expect(entries.get('etc/kubernetes/pki/ca.crt')?.mode).toBe(0o644);
    if (format === 'ustar') return;
    expect(entries.get('etc/kubernetes/pki/ca.key')?.mode).toBe(0o600);
    expect(entries.get('etc/kubernetes/pki/etcd/server.key')?.mode).toBe(0o600);
    expect(entries.get('etc/kubernetes/pki/ca-link.crt')).toMatchObject({
      type: 'symlink',
      linkname: 'ca.crt',
    });
    expect(entries.get('etc/kubernetes/pki/long-link')).toMatchObject({
      type: 'symlink',
      linkname: longTarget,
    });
    expect(entries.get(`etc/kubernetes/pki/${longDirectory}/`)?.type).toBe('directory');
  });
});

it('indexes an archive GNU tar streamed to stdout, as the PKI backup over SSH receives it', async () => {
  const root = join(dir, 'root');
  const files = await makePkiTree(root);
  const { stdout } = await run('tar', ['-C', root, '-cf', '-', 'etc/kubernetes/pki'], {
    encoding: 'buffer',
    maxBuffer: 16 * 1024 * 1024,
  });
  const archive = join(dir, 'streamed.tar');
  await writeFile(archive, stdout);
  const entries = byName(await readTarIndex({ path: archive }));
  const key = entries.get('etc/kubernetes/pki/ca.key')!;
  expect(key.mode).toBe(0o600);
  expect(Buffer.concat(await openTarEntry({ path: archive, entry: key }).toArray())).toEqual(
    files['etc/kubernetes/pki/ca.key'],
  );
});

it('writes archives GNU tar lists and extracts byte-identically, with modes, owners, links and long names', async () => {
  const archive = join(dir, 'ours.tar');
  const longName = `${'p'.repeat(160)}/${'q'.repeat(110)}/file-with-a-name-over-100-bytes-${'z'.repeat(80)}.bin`;
  const big = randomBytes(200_003);
  const secret = randomBytes(1679);
  const entries = [
    { name: 'bundle', type: 'directory' as const, mode: 0o700, mtime },
    { name: 'bundle/ca.key', content: secret, mode: 0o600, uid: 1234, gid: 5678, mtime },
    { name: 'bundle/ca.crt', content: Buffer.from('certificate\n'), mode: 0o644, mtime },
    { name: 'bundle/run.sh', content: Buffer.from('#!/bin/sh\n'), mode: 0o755, mtime },
    { name: 'bundle/empty', mode: 0o600, mtime },
    { name: 'bundle/link', type: 'symlink' as const, linkname: 'ca.crt', mtime },
    {
      name: `bundle/${longName}`,
      size: big.length,
      content: Readable.from(
        Array.from({ length: 7 }, (_, index) => big.subarray(index * 30_000, (index + 1) * 30_000)),
      ),
      mode: 0o640,
      mtime,
    },
  ];
  await pipeline(
    Readable.from(
      createTarStream({
        entries: [
          ...entries.slice(0, 6),
          {
            name: `bundle/${longName.split('/').slice(0, -1).join('/')}`,
            type: 'directory',
            mode: 0o750,
            mtime,
          },
          { name: `bundle/${longName.split('/')[0]}`, type: 'directory', mode: 0o750, mtime },
          entries[6]!,
        ],
      }),
    ),
    createWriteStream(archive),
  );

  const { stdout: listing } = await run('tar', ['--numeric-owner', '-tvf', archive]);
  expect(listing).toContain('-rw------- 1234/5678      1679 2026-03-04 05:06 bundle/ca.key');
  expect(listing).toContain('lrwxrwxrwx 0/0               0 2026-03-04 05:06 bundle/link -> ca.crt');
  expect(listing).toContain(`bundle/${longName}`);

  const out = join(dir, 'out');
  await mkdir(out);
  const { stderr } = await run('tar', ['--numeric-owner', '-xpf', archive, '-C', out]);
  expect(stderr).toBe('');
  expect(await readFile(join(out, 'bundle/ca.key'))).toEqual(secret);
  expect(await readFile(join(out, `bundle/${longName}`))).toEqual(big);
  expect(await readFile(join(out, 'bundle/empty'))).toEqual(Buffer.alloc(0));
  expect(await readlink(join(out, 'bundle/link'))).toBe('ca.crt');
  const modes = async (name: string) => (await lstat(join(out, name))).mode & 0o7777;
  expect(await modes('bundle')).toBe(0o700);
  expect(await modes('bundle/ca.key')).toBe(0o600);
  expect(await modes('bundle/ca.crt')).toBe(0o644);
  expect(await modes('bundle/run.sh')).toBe(0o755);
  expect(await modes(`bundle/${longName}`)).toBe(0o640);
  const key = await lstat(join(out, 'bundle/ca.key'));
  expect([key.uid, key.gid, key.mtime.getTime()]).toEqual([1234, 5678, mtime.getTime()]);
});
