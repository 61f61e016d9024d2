import { describe, expect, it } from 'vitest';
import { bboltMagic, decodeBboltMeta, fnv1a64 } from './bbolt-meta.js';
import { classifySnapshotLayout } from './check-snapshot-hash.js';

function metaPage(options: { txid: bigint; pageSize?: number }): Buffer {
  const page = Buffer.alloc(4096);
  page.writeUInt16LE(0x04, 8);
  const body = page.subarray(16);
  body.writeUInt32LE(bboltMagic, 0);
  body.writeUInt32LE(2, 4);
  body.writeUInt32LE(options.pageSize ?? 4096, 8);
  body.writeBigUInt64LE(3n, 16);
  body.writeBigUInt64LE(2n, 32);
  body.writeBigUInt64LE(10n, 40);
  body.writeBigUInt64LE(options.txid, 48);
  body.writeBigUInt64LE(fnv1a64(body.subarray(0, 56)), 56);
  return page;
}

describe('fnv1a64', () => {
  it('matches the published FNV-1a 64 vectors', () => {
    expect(fnv1a64(new Uint8Array())).toBe(0xcbf29ce484222325n);
    expect(fnv1a64(Buffer.from('a'))).toBe(0xaf63dc4c8601ec8cn);
    expect(fnv1a64(Buffer.from('foobar'))).toBe(0x85944171f73967e8n);
  });
});

describe('decodeBboltMeta', () => {
  it('decodes a valid meta page', () => {
    const decoded = decodeBboltMeta(metaPage({ txid: 42n }));
    expect(decoded).toMatchObject({
      valid: true,
      meta: { pageSize: 4096, rootPageId: 3, freelistPageId: 2n, pageCount: 10, transactionId: 42n },
    });
  });

  it('rejects a wrong magic, a wrong version, a bad checksum and a short page', () => {
    const badMagic = metaPage({ txid: 1n });
    badMagic.writeUInt32LE(0x12345678, 16);
    expect(decodeBboltMeta(badMagic)).toEqual({ valid: false, reason: 'bad-magic' });
    const badVersion = metaPage({ txid: 1n });
    badVersion.writeUInt32LE(1, 20);
    expect(decodeBboltMeta(badVersion)).toEqual({ valid: false, reason: 'bad-version' });
    const badChecksum = metaPage({ txid: 1n });
    badChecksum[16 + 48] = 9;
    expect(decodeBboltMeta(badChecksum)).toEqual({ valid: false, reason: 'bad-checksum' });
    expect(decodeBboltMeta(new Uint8Array(40))).toEqual({ valid: false, reason: 'too-short' });
  });
});

describe('classifySnapshotLayout', () => {
  it('tells hashed, unhashed and truncated files apart by size', () => {
    expect(classifySnapshotLayout({ fileSize: 10 * 4096 + 32, pageSize: 4096 })).toBe('hashed');
    expect(classifySnapshotLayout({ fileSize: 10 * 4096, pageSize: 4096 })).toBe('unhashed');
    expect(classifySnapshotLayout({ fileSize: 10 * 4096 + 31, pageSize: 4096 })).toBe('truncated');
    expect(classifySnapshotLayout({ fileSize: 10 * 16384 + 32, pageSize: 16384 })).toBe('hashed');
  });
});
