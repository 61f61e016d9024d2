/**
 * Builds the 16 slicing tables of CRC-32C (polynomial 0x82F63B78, reflected). Self-contained (no outer
 * references) because its source is also run on a worker thread.
 */
export function buildCrc32cTables(): Int32Array[] {
  const tables = Array.from({ length: 16 }, () => new Int32Array(256));
  const first = tables[0]!;
  for (let index = 0; index < 256; index++) {
    let crc = index;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
    first[index] = crc;
  }
  for (let index = 0; index < 256; index++) {
    let crc = first[index]!;
    for (let table = 1; table < 16; table++) {
      crc = first[crc & 0xff]! ^ (crc >>> 8);
      tables[table]![index] = crc;
    }
  }
  return tables;
}

/**
 * Advances a raw (not yet inverted) CRC-32C state over `bytes`: slicing-by-16 over aligned 32-bit
 * little-endian words, about 1.3 GB/s on one core where etcdctl has SSE4.2. `words` is an Int32Array
 * over all of `bytes.buffer` from offset 0, passed in because creating one per call costs more than
 * hashing a short key. Self-contained, like {@link buildCrc32cTables}.
 */
export function updateCrc32c(state: number, bytes: Uint8Array, t: Int32Array[], words: Int32Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = [t[0]!, t[1]!, t[2]!, t[3]!, t[4]!, t[5]!, t[6]!, t[7]!];
  const [t8, t9, t10, t11, t12, t13, t14, t15] = [
    t[8]!,
    t[9]!,
    t[10]!,
    t[11]!,
    t[12]!,
    t[13]!,
    t[14]!,
    t[15]!,
  ];
  let crc = state;
  let index = 0;
  const length = bytes.length;
  while (index < length && ((bytes.byteOffset + index) & 3) !== 0)
    crc = t0[(crc ^ bytes[index++]!) & 0xff]! ^ (crc >>> 8);
  // Every platform Node.js runs on is little-endian.
  const first = (bytes.byteOffset + index) >>> 2;
  const end = first + (((length - index) >>> 4) << 2);
  for (let word = first; word < end; word += 4) {
    const a = words[word]! ^ crc;
    const b = words[word + 1]!;
    const c = words[word + 2]!;
    const d = words[word + 3]!;
    crc =
      t15[a & 0xff]! ^
      t14[(a >>> 8) & 0xff]! ^
      t13[(a >>> 16) & 0xff]! ^
      t12[a >>> 24]! ^
      t11[b & 0xff]! ^
      t10[(b >>> 8) & 0xff]! ^
      t9[(b >>> 16) & 0xff]! ^
      t8[b >>> 24]! ^
      t7[c & 0xff]! ^
      t6[(c >>> 8) & 0xff]! ^
      t5[(c >>> 16) & 0xff]! ^
      t4[c >>> 24]! ^
      t3[d & 0xff]! ^
      t2[(d >>> 8) & 0xff]! ^
      t1[(d >>> 16) & 0xff]! ^
      t0[d >>> 24]!;
  }
  index += (end - first) * 4;
  while (index < length) crc = t0[(crc ^ bytes[index++]!) & 0xff]! ^ (crc >>> 8);
  return crc;
}

let tables: Int32Array[] | undefined;
let lastBuffer: ArrayBufferLike | undefined;
let lastWords: Int32Array = new Int32Array(0);

/** An Int32Array over all of `buffer`, reused while the same buffer comes back (a reused read window). */
function wordsOf(buffer: ArrayBufferLike): Int32Array {
  if (buffer !== lastBuffer) {
    lastBuffer = buffer;
    lastWords = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
  }
  return lastWords;
}

/**
 * Incremental CRC-32C (Castagnoli), the checksum `etcdctl snapshot status` prints as `hash`.
 * `update` may be called with any split of the input; `digest` returns the unsigned 32-bit value.
 */
export class Crc32c {
  #state = -1;
  #length = 0;

  update(bytes: Uint8Array): this {
    tables ??= buildCrc32cTables();
    this.#state = updateCrc32c(this.#state, bytes, tables, wordsOf(bytes.buffer));
    this.#length += bytes.length;
    return this;
  }

  /** Bytes fed so far. */
  get length(): number {
    return this.#length;
  }

  digest(): number {
    return (this.#state ^ -1) >>> 0;
  }
}

const reflectedPolynomial = 0x82f63b78;

/** Pure: the product of two polynomials modulo the CRC-32C polynomial, in the reflected bit order. */
function multiplyModulo(left: number, right: number): number {
  let product = 0;
  let multiplicand = right;
  for (let bit = 0x80000000; bit !== 0; bit >>>= 1) {
    if (left & bit) product ^= multiplicand;
    multiplicand = multiplicand & 1 ? (multiplicand >>> 1) ^ reflectedPolynomial : multiplicand >>> 1;
  }
  return product >>> 0;
}

let powersOfX: number[] | undefined;

/** x^(8 * bytes) modulo the polynomial, by squaring: powersOfX[k] = x^(2^k). */
function shiftOperator(bytes: number): number {
  if (!powersOfX) {
    powersOfX = [0x40000000];
    for (let power = 1; power < 64; power++)
      powersOfX.push(multiplyModulo(powersOfX[power - 1]!, powersOfX[power - 1]!));
  }
  let result = 0x80000000;
  let remaining = bytes;
  let power = 3;
  while (remaining > 0) {
    if (remaining % 2 === 1) result = multiplyModulo(powersOfX[power]!, result);
    remaining = Math.floor(remaining / 2);
    power++;
  }
  return result;
}

/**
 * Pure: CRC-32C of `A || B` from CRC-32C(A), CRC-32C(B) and the length of B, so pieces hashed apart
 * (on another thread) join into the checksum of the whole.
 */
export function combineCrc32c(options: { first: number; second: number; secondLength: number }): number {
  return (multiplyModulo(shiftOperator(options.secondLength), options.first) ^ options.second) >>> 0;
}
