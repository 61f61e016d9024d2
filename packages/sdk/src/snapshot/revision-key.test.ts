import { describe, expect, it } from 'vitest';
import { decodeRevisionKey } from './revision-key.js';

function revisionBytes(main: number, sub: number, tombstone = false): Uint8Array {
  const bytes = Buffer.alloc(tombstone ? 18 : 17);
  bytes.writeBigUInt64BE(BigInt(main), 0);
  bytes[8] = 0x5f;
  bytes.writeBigUInt64BE(BigInt(sub), 9);
  if (tombstone) bytes[17] = 0x74;
  return bytes;
}

describe('decodeRevisionKey', () => {
  it('reads big-endian main and sub revisions', () => {
    expect(decodeRevisionKey(revisionBytes(2161, 3))).toEqual({ main: 2161, sub: 3, tombstone: false });
    expect(decodeRevisionKey(revisionBytes(2 ** 40 + 1, 0))?.main).toBe(2 ** 40 + 1);
  });

  it('marks an 18-byte key ending in t as a tombstone', () => {
    expect(decodeRevisionKey(revisionBytes(7, 0, true))).toEqual({ main: 7, sub: 0, tombstone: true });
  });

  it('rejects other shapes', () => {
    expect(decodeRevisionKey(new Uint8Array(16))).toBeUndefined();
    const noSeparator = revisionBytes(1, 0);
    noSeparator[8] = 0x2d;
    expect(decodeRevisionKey(noSeparator)).toBeUndefined();
    const badMark = Buffer.from(revisionBytes(1, 0, true));
    badMark[17] = 0x78;
    expect(decodeRevisionKey(badMark)).toBeUndefined();
  });
});
