/** An etcd mvcc revision as stored in the keys of the `key` bucket. */
export interface RevisionKey {
  /** The store revision of the transaction (what `etcdctl snapshot status` calls `revision`). */
  main: number;
  /** The index of the change inside that transaction. */
  sub: number;
  /** True when the 18th byte is `t`: the key was deleted at this revision. */
  tombstone: boolean;
}

const revisionLength = 17;
const separator = 0x5f; // '_'
const tombstoneMark = 0x74; // 't'

/**
 * Decodes an mvcc revision key: 8-byte big-endian main revision, `_`, 8-byte big-endian sub revision,
 * and an optional `t` marking a tombstone. Returns undefined for any other shape.
 * Revisions above 2^53 lose precision; etcd would need 285 years at a million writes a second to get there.
 */
export function decodeRevisionKey(bytes: Uint8Array): RevisionKey | undefined {
  if (bytes.length !== revisionLength && bytes.length !== revisionLength + 1) return undefined;
  if (bytes[8] !== separator) return undefined;
  if (bytes.length === revisionLength + 1 && bytes[revisionLength] !== tombstoneMark) return undefined;
  return {
    main: readUint64BigEndian(bytes, 0),
    sub: readUint64BigEndian(bytes, 9),
    tombstone: bytes.length === revisionLength + 1,
  };
}

function readUint64BigEndian(bytes: Uint8Array, offset: number): number {
  let value = 0;
  for (let index = offset; index < offset + 8; index++) value = value * 256 + bytes[index]!;
  return value;
}
