import { describe, expect, it } from 'vitest';
import { Crc32c, combineCrc32c } from './crc32c.js';

const crcOf = (bytes: Uint8Array) => new Crc32c().update(bytes).digest();

describe('Crc32c', () => {
  it('matches the CRC-32C check value and known vectors', () => {
    expect(crcOf(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crcOf(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crcOf(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crcOf(new Uint8Array())).toBe(0);
  });

  it('gives the same value for any split and any alignment', () => {
    const data = Buffer.alloc(10_007);
    for (let index = 0; index < data.length; index++) data[index] = (index * 131 + 7) & 0xff;
    const whole = crcOf(data);
    for (const offset of [1, 2, 3, 17, 4096]) {
      const split = new Crc32c().update(data.subarray(0, offset)).update(data.subarray(offset)).digest();
      expect(split).toBe(whole);
    }
    const unaligned = Buffer.alloc(data.length + 3);
    data.copy(unaligned, 3);
    expect(crcOf(unaligned.subarray(3))).toBe(whole);
  });

  it('combines the checksums of two pieces into the checksum of both', () => {
    const data = Buffer.alloc(70_000);
    for (let index = 0; index < data.length; index++) data[index] = (index * 31) & 0xff;
    for (const cut of [0, 1, 5, 4096, 65_537, 70_000]) {
      const first = crcOf(data.subarray(0, cut));
      const second = crcOf(data.subarray(cut));
      expect(combineCrc32c({ first, second, secondLength: data.length - cut })).toBe(crcOf(data));
    }
  });
});
