/** One decoded protobuf field: its number and raw value (varint as bigint, length-delimited as bytes). */
export type ProtobufField =
  | { number: number; varint: bigint }
  | { number: number; bytes: Buffer }
  | { number: number; fixed: Buffer };

function readVarint(buffer: Buffer, offset: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  let position = offset;
  for (;;) {
    if (position >= buffer.length) throw new Error('truncated varint');
    const byte = buffer[position++]!;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, next: position };
    shift += 7n;
    if (shift > 70n) throw new Error('varint too long');
  }
}

/** Splits a protobuf message into its fields (wire format only; no schema). Throws on malformed input. */
export function readProtobufFields(buffer: Buffer): ProtobufField[] {
  const fields: ProtobufField[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const key = readVarint(buffer, offset);
    offset = key.next;
    const number = Number(key.value >> 3n);
    const wireType = Number(key.value & 7n);
    if (wireType === 0) {
      const value = readVarint(buffer, offset);
      fields.push({ number, varint: value.value });
      offset = value.next;
    } else if (wireType === 2) {
      const length = readVarint(buffer, offset);
      const end = length.next + Number(length.value);
      if (end > buffer.length) throw new Error('truncated length-delimited field');
      fields.push({ number, bytes: buffer.subarray(length.next, end) });
      offset = end;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      fields.push({ number, fixed: buffer.subarray(offset, offset + size) });
      offset += size;
    } else {
      throw new Error(`unsupported wire type ${wireType}`);
    }
  }
  return fields;
}
