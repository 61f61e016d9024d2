import { describe, expect, it } from 'vitest';
import {
  decodeTarHeader,
  encodePaxRecords,
  encodeTarHeader,
  parsePaxRecords,
  readTarNumber,
  splitUstarName,
  type TarHeaderFields,
  tarChecksum,
} from './tar-header.js';

const base: TarHeaderFields = {
  name: 'etc/kubernetes/pki/ca.key',
  type: 'file',
  size: 1679,
  mode: 0o600,
  uid: 0,
  gid: 0,
  uname: 'root',
  gname: 'root',
  mtime: new Date('2026-11-26T10:00:00Z'),
  linkname: '',
};

describe('encodeTarHeader / decodeTarHeader', () => {
  it('writes one ustar block with octal fields, magic and a valid checksum', () => {
    const block = encodeTarHeader(base);
    expect(block.length).toBe(512);
    expect(block.toString('latin1', 0, 25)).toBe('etc/kubernetes/pki/ca.key');
    expect(block.toString('latin1', 100, 108)).toBe('0000600\0');
    expect(block.toString('latin1', 124, 136)).toBe('00000003217\0');
    expect(block.toString('latin1', 257, 265)).toBe('ustar\x0000');
    expect(block.toString('latin1', 156, 157)).toBe('0');
    const stored = Number.parseInt(block.toString('latin1', 148, 154), 8);
    expect(stored).toBe(tarChecksum(block).unsigned);
    const { type: _type, ...rest } = base;
    expect(decodeTarHeader(block)).toEqual({ ...rest, typeflag: '0', base256: false });
  });

  it('refuses a header whose checksum no longer matches after one flipped byte', () => {
    const block = encodeTarHeader(base);
    block[130] = block[130]! ^ 0x01;
    expect(decodeTarHeader(block)).toBeUndefined();
  });

  it('uses the ustar prefix for paths up to 255 bytes that split at a slash', () => {
    const name = `${'d'.repeat(120)}/${'f'.repeat(90)}`;
    const block = encodeTarHeader({ ...base, name });
    expect(block.length).toBe(512);
    expect(block.toString('latin1', 345, 465)).toBe('d'.repeat(120));
    expect(decodeTarHeader(block)?.name).toBe(name);
  });

  it('adds a pax header for a name no ustar split can hold, and for sizes of 8 GiB and more', () => {
    const name = `${'x'.repeat(150)}.txt`;
    const blocks = encodeTarHeader({ ...base, name, size: 9 * 1024 ** 3 });
    expect(blocks.length).toBe(512 * 3);
    const pax = decodeTarHeader(blocks.subarray(0, 512))!;
    expect(pax.typeflag).toBe('x');
    const records = parsePaxRecords(blocks.subarray(512, 512 + pax.size));
    expect(records).toEqual({ path: name, size: String(9 * 1024 ** 3) });
    const ustar = decodeTarHeader(blocks.subarray(1024))!;
    expect(ustar.size).toBe(0);
  });

  it('writes directories and symlinks with their typeflags', () => {
    expect(
      decodeTarHeader(encodeTarHeader({ ...base, name: 'pki/', type: 'directory', size: 0 }))?.typeflag,
    ).toBe('5');
    const link = decodeTarHeader(
      encodeTarHeader({ ...base, type: 'symlink', size: 0, linkname: '../ca.crt' }),
    )!;
    expect(link.typeflag).toBe('2');
    expect(link.linkname).toBe('../ca.crt');
  });
});

describe('pax records', () => {
  it('counts the length prefix in the record length, across digit boundaries', () => {
    for (const value of ['a', 'b'.repeat(90), 'c'.repeat(95), 'é'.repeat(500)]) {
      const encoded = encodePaxRecords({ path: value });
      const length = Number.parseInt(encoded.toString('latin1').split(' ')[0]!, 10);
      expect(length).toBe(encoded.length);
      expect(parsePaxRecords(encoded)).toEqual({ path: value });
    }
  });

  it('rejects a record whose length runs past the data', () => {
    expect(parsePaxRecords(Buffer.from('99 path=a\n'))).toBeUndefined();
  });
});

describe('readTarNumber', () => {
  it('reads octal with NUL or space terminators and GNU base-256', () => {
    expect(readTarNumber(Buffer.from('0000644 \0'), 0, 8)).toBe(0o644);
    expect(readTarNumber(Buffer.from('      0\0'), 0, 8)).toBe(0);
    const base256 = Buffer.alloc(12);
    base256[0] = 0x80;
    base256.writeUIntBE(9 * 1024 ** 3, 6, 6);
    expect(readTarNumber(base256, 0, 12)).toBe(9 * 1024 ** 3);
    expect(readTarNumber(Buffer.from('12x4567\0'), 0, 8)).toBeUndefined();
  });
});

describe('splitUstarName', () => {
  it('returns undefined when the last component alone exceeds 100 bytes', () => {
    expect(splitUstarName(`a/${'b'.repeat(101)}`)).toBeUndefined();
    expect(splitUstarName('short')).toEqual({ prefix: '', name: 'short' });
  });
});
