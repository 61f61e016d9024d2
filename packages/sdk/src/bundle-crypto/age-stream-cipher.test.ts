import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ageSealedChunkBytes, ageStreamCipher, ageTagBytes } from './age-stream-cipher.js';

describe('ageStreamCipher', () => {
  const fileKey = randomBytes(16);
  const nonce = randomBytes(16);

  it('opens what it sealed only with the same index, last flag, file key and nonce', () => {
    const cipher = ageStreamCipher({ fileKey, nonce });
    const chunk = randomBytes(64 * 1024);
    const sealed = cipher.seal({ chunk, index: 2, last: false });
    expect(sealed.length).toBe(ageSealedChunkBytes);
    expect(cipher.open({ sealed, index: 2, last: false })?.equals(chunk)).toBe(true);
    expect(cipher.open({ sealed, index: 3, last: false })).toBeUndefined();
    expect(cipher.open({ sealed, index: 2, last: true })).toBeUndefined();
    expect(ageStreamCipher({ fileKey, nonce: randomBytes(16) }).open({ sealed, index: 2, last: false })).toBe(
      undefined,
    );
    const flipped = Buffer.from(sealed);
    flipped[100]! ^= 0x80;
    expect(cipher.open({ sealed: flipped, index: 2, last: false })).toBeUndefined();
  });

  it('seals an empty final chunk as a bare tag and refuses anything shorter than a tag', () => {
    const cipher = ageStreamCipher({ fileKey, nonce });
    const sealed = cipher.seal({ chunk: Buffer.alloc(0), index: 0, last: true });
    expect(sealed.length).toBe(ageTagBytes);
    expect(cipher.open({ sealed, index: 0, last: true })?.length).toBe(0);
    expect(cipher.open({ sealed: sealed.subarray(1), index: 0, last: true })).toBeUndefined();
  });

  it('seals the same chunk differently at each index (the nonce carries the counter)', () => {
    const cipher = ageStreamCipher({ fileKey, nonce });
    const chunk = Buffer.alloc(32);
    const first = cipher.seal({ chunk, index: 0, last: false });
    expect(first.equals(cipher.seal({ chunk, index: 1, last: false }))).toBe(false);
    expect(first.equals(cipher.seal({ chunk, index: 0, last: true }))).toBe(false);
    expect(first.equals(cipher.seal({ chunk, index: 0, last: false }))).toBe(true);
  });

  it('cannot open anything once disposed', () => {
    const cipher = ageStreamCipher({ fileKey, nonce });
    const sealed = cipher.seal({ chunk: Buffer.from('secret'), index: 0, last: true });
    cipher.dispose();
    expect(cipher.open({ sealed, index: 0, last: true })).toBeUndefined();
  });
});
