const polynomial = 0x82f63b78;

function buildTables(): Uint32Array[] {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  const first = tables[0]!;
  for (let index = 0; index < 256; index++) {
    let crc = index;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ polynomial : crc >>> 1;
    first[index] = crc >>> 0;
  }
  for (let index = 0; index < 256; index++) {
    let crc = first[index]!;
    for (let table = 1; table < 8; table++) {
      crc = first[crc & 0xff]! ^ (crc >>> 8);
      tables[table]![index] = crc >>> 0;
    }
  }
  return tables;
}

let tables: Uint32Array[] | undefined;

/**
 * Incremental CRC-32C (Castagnoli), the checksum `etcdctl snapshot status` prints as `hash`.
 * `update` may be called with any split of the input; `digest` returns the unsigned 32-bit value.
 */
export class Crc32c {
  #crc = 0xffffffff;

  update(bytes: Uint8Array): this {
    tables ??= buildTables();
    const [t0, t1, t2, t3, t4, t5, t6, t7] = tables as [
      Uint32Array,
      Uint32Array,
      Uint32Array,
      Uint32Array,
      Uint32Array,
      Uint32Array,
      Uint32Array,
      Uint32Array,
    ];
    let crc = this.#crc;
    let index = 0;
    const length = bytes.length;
    const fastEnd = length - (length % 8);
    while (index < fastEnd) {
      const low =
        (crc ^ (bytes[index]! | (bytes[index + 1]! << 8) | (bytes[index + 2]! << 16) | (bytes[index + 3]! << 24))) >>>
        0;
      crc =
        t7[low & 0xff]! ^
        t6[(low >>> 8) & 0xff]! ^
        t5[(low >>> 16) & 0xff]! ^
        t4[low >>> 24]! ^
        t3[bytes[index + 4]!]! ^
        t2[bytes[index + 5]!]! ^
        t1[bytes[index + 6]!]! ^
        t0[bytes[index + 7]!]!;
      index += 8;
    }
    while (index < length) crc = t0[(crc ^ bytes[index++]!) & 0xff]! ^ (crc >>> 8);
    this.#crc = crc;
    return this;
  }

  digest(): number {
    return (this.#crc ^ 0xffffffff) >>> 0;
  }
}
