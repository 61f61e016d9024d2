/** The marker bbolt writes at the start of each meta page's body. */
export const bboltMagic = 0xed0cdaed;
/** The only bbolt data file version in use (bbolt 1.3 and 1.4). */
export const bboltVersion = 2;
/** Size of every bbolt page header: id u64, flags u16, count u16, overflow u32. */
export const pageHeaderSize = 16;
/** Bytes of the meta body covered by its checksum (everything before the checksum field). */
const checksummedLength = 56;

/** The decoded body of a bbolt meta page (page 0 or 1). */
export interface BboltMeta {
  pageSize: number;
  flags: number;
  /** Page id of the root bucket's B+tree. */
  rootPageId: number;
  /** Page id of the freelist, or 2^64-1 when bbolt was told not to sync it. */
  freelistPageId: bigint;
  /** High-water mark: number of pages in use; the data file holds at least this many pages. */
  pageCount: number;
  transactionId: bigint;
  checksum: bigint;
}

/** Why a meta page was rejected, or the meta itself. */
export type DecodedBboltMeta =
  | { valid: true; meta: BboltMeta }
  | { valid: false; reason: 'bad-magic' | 'bad-version' | 'bad-checksum' | 'too-short' };

const fnvOffset = 0xcbf29ce484222325n;
const fnvPrime = 0x100000001b3n;
const mask64 = 0xffffffffffffffffn;

/** FNV-1a 64-bit, the checksum bbolt stores in each meta page. */
export function fnv1a64(bytes: Uint8Array): bigint {
  let hash = fnvOffset;
  for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * fnvPrime) & mask64;
  return hash;
}

/**
 * Decodes and validates a meta page (header included) the way bbolt does: magic 0xED0CDAED, version 2
 * and a matching FNV-1a-64 checksum. All fields are little-endian.
 */
export function decodeBboltMeta(page: Uint8Array): DecodedBboltMeta {
  if (page.length < pageHeaderSize + checksummedLength + 8) return { valid: false, reason: 'too-short' };
  const view = new DataView(page.buffer, page.byteOffset + pageHeaderSize, checksummedLength + 8);
  if (view.getUint32(0, true) !== bboltMagic) return { valid: false, reason: 'bad-magic' };
  if (view.getUint32(4, true) !== bboltVersion) return { valid: false, reason: 'bad-version' };
  const checksum = view.getBigUint64(56, true);
  const body = page.subarray(pageHeaderSize, pageHeaderSize + checksummedLength);
  if (fnv1a64(body) !== checksum) return { valid: false, reason: 'bad-checksum' };
  return {
    valid: true,
    meta: {
      pageSize: view.getUint32(8, true),
      flags: view.getUint32(12, true),
      rootPageId: Number(view.getBigUint64(16, true)),
      freelistPageId: view.getBigUint64(32, true),
      pageCount: Number(view.getBigUint64(40, true)),
      transactionId: view.getBigUint64(48, true),
      checksum,
    },
  };
}
