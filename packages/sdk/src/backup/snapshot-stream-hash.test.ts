import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SnapshotStreamHash } from './snapshot-stream-hash.js';

function snapshotLike(contentBytes: number): Buffer {
  const content = randomBytes(contentBytes);
  return Buffer.concat([content, createHash('sha256').update(content).digest()]);
}

function hashInChunks(bytes: Buffer, chunkSizes: number[]) {
  const hasher = new SnapshotStreamHash();
  let offset = 0;
  let index = 0;
  while (offset < bytes.length) {
    const size = chunkSizes[index++ % chunkSizes.length]!;
    hasher.update(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return hasher.result();
}

describe('SnapshotStreamHash', () => {
  it('accepts a snapshot whose trailer is the SHA-256 of its content, whatever the chunk boundaries', () => {
    const bytes = snapshotLike(10_000);
    for (const chunks of [[bytes.length], [1], [7, 31, 32, 33], [4096], [9_999, 1]]) {
      const result = hashInChunks(bytes, chunks);
      expect(result.trailerMatches).toBe(true);
      expect(result.size).toBe(bytes.length);
      expect(result.expected).toBe(result.actual);
    }
  });

  it('rejects a snapshot with one flipped byte in the content or in the trailer', () => {
    const content = snapshotLike(5_000);
    content[1234] = (content[1234] ?? 0) ^ 0xff;
    expect(hashInChunks(content, [100]).trailerMatches).toBe(false);
    const trailer = snapshotLike(5_000);
    trailer[trailer.length - 1] = (trailer[trailer.length - 1] ?? 0) ^ 0x01;
    expect(hashInChunks(trailer, [100]).trailerMatches).toBe(false);
  });

  it('rejects a stream shorter than a trailer, and a cut-off one', () => {
    expect(hashInChunks(Buffer.alloc(20), [5]).trailerMatches).toBe(false);
    const bytes = snapshotLike(5_000);
    expect(hashInChunks(bytes.subarray(0, 4_000), [333]).trailerMatches).toBe(false);
  });
});

describe('SnapshotStreamHash.fileSha256', () => {
  it('is the SHA-256 of every byte, trailer included, from the same single pass', () => {
    const bytes = snapshotLike(10_000);
    const whole = createHash('sha256').update(bytes).digest('hex');
    for (const chunks of [[bytes.length], [1], [7, 31, 32, 33], [9_999, 1]]) {
      expect(hashInChunks(bytes, chunks).fileSha256).toBe(whole);
    }
    const short = Buffer.from('short');
    expect(hashInChunks(short, [2]).fileSha256).toBe(createHash('sha256').update(short).digest('hex'));
  });

  it('answers the same every time and refuses bytes after the result', () => {
    const hasher = new SnapshotStreamHash();
    hasher.update(snapshotLike(100));
    const first = hasher.result();
    expect(hasher.result()).toEqual(first);
    expect(() => hasher.update(Buffer.from('late'))).toThrow(/after result/);
  });
});
