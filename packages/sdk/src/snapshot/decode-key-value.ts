/** The fields of an etcd `mvccpb.KeyValue` (the value of each entry in bucket `key`). */
export interface KeyValue {
  key: Uint8Array;
  createRevision: number;
  modRevision: number;
  version: number;
  value: Uint8Array;
  /** Lease id; 0n when the key has no lease. Kept as bigint: lease ids use all 63 bits. */
  lease: bigint;
}

/** Thrown by the protobuf decoders on malformed input; callers turn it into a SnapshotError. */
export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

/** A varint and the offset just after it. `value` is exact up to 2^53. */
export function readVarint(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0;
  let multiplier = 1;
  for (let index = offset; index < bytes.length && index < offset + 10; index++) {
    const byte = bytes[index]!;
    value += (byte & 0x7f) * multiplier;
    if (byte < 0x80) return { value, next: index + 1 };
    multiplier *= 128;
  }
  throw new ProtobufDecodeError(`unterminated varint at byte ${offset}`);
}

/** A varint as an unsigned 64-bit bigint, for fields that use all bits (lease ids). */
export function readVarintBigInt(bytes: Uint8Array, offset: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let index = offset; index < bytes.length && index < offset + 10; index++) {
    const byte = bytes[index]!;
    value |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return { value: value & 0xffffffffffffffffn, next: index + 1 };
    shift += 7n;
  }
  throw new ProtobufDecodeError(`unterminated varint at byte ${offset}`);
}

const wireVarint = 0;
const wireFixed64 = 1;
const wireBytes = 2;
const wireFixed32 = 5;

/**
 * Decodes an `mvccpb.KeyValue` protobuf by hand: 1 key (bytes), 2 create_revision, 3 mod_revision,
 * 4 version, 5 value (bytes), 6 lease (int64). Unknown fields are skipped; `key` and `value` are views.
 * @throws ProtobufDecodeError on truncated or malformed input.
 */
export function decodeKeyValue(bytes: Uint8Array): KeyValue {
  const result: KeyValue = {
    key: bytes.subarray(0, 0),
    createRevision: 0,
    modRevision: 0,
    version: 0,
    value: bytes.subarray(0, 0),
    lease: 0n,
  };
  let offset = 0;
  while (offset < bytes.length) {
    const tag = readVarint(bytes, offset);
    offset = tag.next;
    const field = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    if (wireType === wireVarint) {
      if (field === 6) {
        const lease = readVarintBigInt(bytes, offset);
        result.lease = lease.value;
        offset = lease.next;
        continue;
      }
      const varint = readVarint(bytes, offset);
      offset = varint.next;
      if (field === 2) result.createRevision = varint.value;
      else if (field === 3) result.modRevision = varint.value;
      else if (field === 4) result.version = varint.value;
    } else if (wireType === wireBytes) {
      const length = readVarint(bytes, offset);
      const end = length.next + length.value;
      if (end > bytes.length)
        throw new ProtobufDecodeError(`field ${field} runs past the end (${end} > ${bytes.length})`);
      if (field === 1) result.key = bytes.subarray(length.next, end);
      else if (field === 5) result.value = bytes.subarray(length.next, end);
      offset = end;
    } else if (wireType === wireFixed64) {
      offset += 8;
    } else if (wireType === wireFixed32) {
      offset += 4;
    } else {
      throw new ProtobufDecodeError(`unsupported wire type ${wireType} for field ${field}`);
    }
  }
  if (offset > bytes.length) throw new ProtobufDecodeError('last field runs past the end');
  return result;
}

/**
 * Fast path for scanning millions of entries: the byte range of field 1 (`key`) of an encoded KeyValue,
 * skipping other fields without decoding them.
 * @throws ProtobufDecodeError when the field is missing or runs past the end.
 */
export function keyValueKeyRange(bytes: Uint8Array): [start: number, end: number] {
  // etcd writes field 1 first; a key shorter than 128 bytes has a one-byte length.
  if (bytes[0] === 0x0a && bytes.length > 1 && bytes[1]! < 0x80 && 2 + bytes[1]! <= bytes.length) {
    return [2, 2 + bytes[1]!];
  }
  let offset = 0;
  while (offset < bytes.length) {
    const tag = readVarint(bytes, offset);
    offset = tag.next;
    const wireType = tag.value % 8;
    if (wireType === wireBytes) {
      const length = readVarint(bytes, offset);
      const end = length.next + length.value;
      if (end > bytes.length)
        throw new ProtobufDecodeError(`field ${Math.floor(tag.value / 8)} runs past the end`);
      if (tag.value === 0x0a) return [length.next, end];
      offset = end;
    } else if (wireType === wireVarint) {
      offset = readVarint(bytes, offset).next;
    } else if (wireType === wireFixed64) {
      offset += 8;
    } else if (wireType === wireFixed32) {
      offset += 4;
    } else {
      throw new ProtobufDecodeError(`unsupported wire type ${wireType}`);
    }
  }
  throw new ProtobufDecodeError('no key field');
}
