import { describe, expect, it } from 'vitest';
import {
  decodeKeyValue,
  keyValueKeyRange,
  ProtobufDecodeError,
  readVarint,
  readVarintBigInt,
} from './decode-key-value.js';

function varint(value: bigint): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return bytes;
}
const field = (number: number, wireType: number) => varint(BigInt(number * 8 + wireType));
const bytesField = (number: number, data: Buffer) => [
  ...field(number, 2),
  ...varint(BigInt(data.length)),
  ...data,
];
const varintField = (number: number, value: bigint) => [...field(number, 0), ...varint(value)];

describe('readVarint', () => {
  it('decodes one-byte, multi-byte and 2^53-range varints', () => {
    expect(readVarint(Uint8Array.from([0x05]), 0)).toEqual({ value: 5, next: 1 });
    expect(readVarint(Uint8Array.from([0xac, 0x02]), 0)).toEqual({ value: 300, next: 2 });
    expect(readVarint(Uint8Array.from([0, ...varint(2n ** 40n + 7n)]), 1).value).toBe(2 ** 40 + 7);
  });

  it('decodes full 64-bit values as bigint', () => {
    const max = 2n ** 63n - 1n;
    expect(readVarintBigInt(Uint8Array.from(varint(max)), 0)).toEqual({ value: max, next: 9 });
  });

  it('rejects an unterminated varint', () => {
    expect(() => readVarint(Uint8Array.from([0x80, 0x80]), 0)).toThrow(ProtobufDecodeError);
  });
});

describe('decodeKeyValue', () => {
  const lease = 0x694d77b6c3f2a10bn;
  const encoded = Uint8Array.from([
    ...bytesField(1, Buffer.from('/registry/pods/default/web-1')),
    ...varintField(2, 5n),
    ...varintField(3, 9n),
    ...varintField(4, 3n),
    ...bytesField(5, Buffer.from('{"kind":"Pod"}')),
    ...varintField(6, lease),
    ...bytesField(99, Buffer.from('future field')),
  ]);

  it('decodes every field of mvccpb.KeyValue and skips unknown ones', () => {
    const keyValue = decodeKeyValue(encoded);
    expect(Buffer.from(keyValue.key).toString()).toBe('/registry/pods/default/web-1');
    expect(keyValue).toMatchObject({ createRevision: 5, modRevision: 9, version: 3, lease });
    expect(Buffer.from(keyValue.value).toString()).toBe('{"kind":"Pod"}');
  });

  it('finds the key range without decoding the rest', () => {
    const [start, end] = keyValueKeyRange(encoded);
    expect(Buffer.from(encoded.subarray(start, end)).toString()).toBe('/registry/pods/default/web-1');
    const keyLast = Uint8Array.from([...varintField(2, 5n), ...bytesField(1, Buffer.from('/k'))]);
    const [keyStart, keyEnd] = keyValueKeyRange(keyLast);
    expect(Buffer.from(keyLast.subarray(keyStart, keyEnd)).toString()).toBe('/k');
  });

  it('finds keys of 128 bytes and more (two-byte length)', () => {
    const longKey = `/registry/configmaps/default/${'n'.repeat(200)}`;
    const encoded = Uint8Array.from([...bytesField(1, Buffer.from(longKey)), ...varintField(2, 1n)]);
    const [start, end] = keyValueKeyRange(encoded);
    expect(Buffer.from(encoded.subarray(start, end)).toString()).toBe(longKey);
  });

  it('rejects a field that runs past the end, and a KeyValue without key', () => {
    expect(() => decodeKeyValue(encoded.subarray(0, 10))).toThrow(/runs past the end/);
    expect(() => keyValueKeyRange(Uint8Array.from(varintField(2, 5n)))).toThrow(/no key field/);
  });
});
