/**
 * Pure encoding and decoding of tar headers (POSIX ustar, pax extended headers, GNU extensions), one
 * 512-byte block at a time. No I/O here: `create-tar-stream.ts` and `read-tar-index.ts` do that.
 *
 * ustar header layout (offsets in bytes): name 0/100, mode 100/8, uid 108/8, gid 116/8, size 124/12,
 * mtime 136/12, chksum 148/8, typeflag 156/1, linkname 157/100, magic 257/6, version 263/2, uname 265/32,
 * gname 297/32, devmajor 329/8, devminor 337/8, prefix 345/155.
 */

/** Size of a tar block; headers take one, data is padded to a multiple. */
export const tarBlockSize = 512;

/** What a tar entry is. GNU 'L'/'K' and pax 'x'/'g' headers never surface: they modify the next entry. */
export type TarEntryType =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'hardlink'
  | 'character-device'
  | 'block-device'
  | 'fifo'
  | 'other';

/** The fields of one archive member as a reader reports them and a writer takes them. */
export interface TarHeaderFields {
  /** Path inside the archive; directories end with `/` as GNU tar writes them. */
  name: string;
  type: TarEntryType;
  /** Bytes of data that follow the header (0 for everything but files). */
  size: number;
  /** Permission bits, e.g. `0o600` (file type bits are masked off). */
  mode: number;
  uid: number;
  gid: number;
  /** Owner user name, empty when the archive has none. */
  uname: string;
  /** Owner group name, empty when the archive has none. */
  gname: string;
  /** Modification time, whole seconds unless a pax header gave fractions. */
  mtime: Date;
  /** Target of a symlink or hard link; empty otherwise. */
  linkname: string;
}

/** A header block as decoded, before pax / GNU long-name headers are applied. */
export interface RawTarHeader extends Omit<TarHeaderFields, 'type'> {
  /** The typeflag character, `'0'` for a plain file (a NUL flag is reported as `'0'`). */
  typeflag: string;
  /** True when the size or a number field used GNU base-256 encoding. */
  base256: boolean;
}

const typeflagToType: Record<string, TarEntryType> = {
  '0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};

const typeToTypeflag: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  'character-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
  other: '0',
};

/** Maps a typeflag to an entry type; a v7 file whose name ends in `/` is a directory. */
export function tarEntryTypeOf(options: { typeflag: string; name: string }): TarEntryType {
  const type = typeflagToType[options.typeflag] ?? 'other';
  return type === 'file' && options.name.endsWith('/') ? 'directory' : type;
}

/** True for the entry types whose header size is followed by that many data bytes. */
export function tarTypeHasData(typeflag: string): boolean {
  return !['2', '3', '4', '5', '6'].includes(typeflag);
}

/** True when the block is all zeros: the end-of-archive marker. */
export function isZeroBlock(block: Uint8Array): boolean {
  for (const byte of block) if (byte !== 0) return false;
  return true;
}

/** Sum of the header bytes with the checksum field counted as spaces, as ustar defines it. */
export function tarChecksum(block: Uint8Array): { unsigned: number; signed: number } {
  let unsigned = 0;
  let signed = 0;
  for (let index = 0; index < tarBlockSize; index++) {
    const byte = index >= 148 && index < 156 ? 0x20 : block[index]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return { unsigned, signed };
}

function readString(block: Uint8Array, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return Buffer.from(end === -1 ? field : field.subarray(0, end)).toString('utf8');
}

/** Reads an octal ASCII number, or a GNU base-256 number (first byte has bit 7 set). */
export function readTarNumber(block: Uint8Array, offset: number, length: number): number | undefined {
  const field = block.subarray(offset, offset + length);
  if (field[0]! & 0x80) {
    if (field[0] === 0xff) return undefined;
    let value = field[0]! & 0x7f;
    for (let index = 1; index < field.length; index++) value = value * 256 + field[index]!;
    return Number.isSafeInteger(value) ? value : undefined;
  }
  const text = Buffer.from(field)
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return undefined;
  return Number.parseInt(text, 8);
}

/**
 * Decodes one header block. Returns `undefined` for a block whose checksum is wrong or whose numbers are
 * not numbers (the caller names the offset in its error).
 */
export function decodeTarHeader(block: Uint8Array): RawTarHeader | undefined {
  if (block.length !== tarBlockSize) return undefined;
  const stored = readTarNumber(block, 148, 8);
  const sum = tarChecksum(block);
  if (stored === undefined || (stored !== sum.unsigned && stored !== sum.signed)) return undefined;
  const mode = readTarNumber(block, 100, 8);
  const uid = readTarNumber(block, 108, 8);
  const gid = readTarNumber(block, 116, 8);
  const size = readTarNumber(block, 124, 12);
  const mtime = readTarNumber(block, 136, 12);
  if ([mode, uid, gid, size, mtime].some((value) => value === undefined)) return undefined;
  const magic = Buffer.from(block.subarray(257, 263)).toString('latin1');
  // Only POSIX ustar ("ustar\0") has a prefix field; old GNU ("ustar  ") keeps atime/ctime there.
  const prefix = magic === 'ustar\0' ? readString(block, 345, 155) : '';
  const name = readString(block, 0, 100);
  const typeflagByte = block[156]!;
  return {
    name: prefix ? `${prefix}/${name}` : name,
    typeflag: typeflagByte === 0 ? '0' : String.fromCharCode(typeflagByte),
    size: size!,
    mode: mode! & 0o7777,
    uid: uid!,
    gid: gid!,
    uname: readString(block, 265, 32),
    gname: readString(block, 297, 32),
    mtime: new Date(mtime! * 1000),
    linkname: readString(block, 157, 100),
    base256: [100, 108, 116, 124, 136].some((offset) => (block[offset]! & 0x80) !== 0),
  };
}

/**
 * Parses the records of a pax extended header (`"%d %s=%s\n"`, the length counting the whole record).
 * Returns `undefined` when a record is malformed.
 */
export function parsePaxRecords(data: Uint8Array): Record<string, string> | undefined {
  const records: Record<string, string> = {};
  const buffer = Buffer.from(data);
  let offset = 0;
  while (offset < buffer.length) {
    if (buffer[offset] === 0) break;
    const space = buffer.indexOf(0x20, offset);
    if (space === -1) return undefined;
    const length = Number.parseInt(buffer.toString('latin1', offset, space), 10);
    if (!Number.isInteger(length) || length <= space - offset || offset + length > buffer.length) {
      return undefined;
    }
    const record = buffer.subarray(space + 1, offset + length);
    if (record[record.length - 1] !== 0x0a) return undefined;
    const equals = record.indexOf(0x3d);
    if (equals === -1) return undefined;
    records[record.toString('utf8', 0, equals)] = record.toString('utf8', equals + 1, record.length - 1);
    offset += length;
  }
  return records;
}

/** Encodes pax records; each record's decimal length prefix counts itself. */
export function encodePaxRecords(records: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(records)) {
    const body = ` ${key}=${value}\n`;
    const bodyLength = Buffer.byteLength(body);
    let length = bodyLength + 1;
    while (String(length).length + bodyLength !== length) length = String(length).length + bodyLength;
    parts.push(Buffer.from(`${length}${body}`));
  }
  return Buffer.concat(parts);
}

function writeString(block: Buffer, offset: number, length: number, value: string): void {
  block.write(value, offset, length, 'utf8');
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1');
}

function fitsOctal(value: number, length: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < 8 ** (length - 1);
}

/**
 * Splits a long path into ustar `prefix` and `name` at a `/`, or returns `undefined` when no split fits
 * (then the writer uses a pax `path` record).
 */
export function splitUstarName(name: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', name };
  for (let index = name.indexOf('/'); index !== -1; index = name.indexOf('/', index + 1)) {
    const prefix = name.slice(0, index);
    const rest = name.slice(index + 1);
    if (Buffer.byteLength(prefix) > 155) return undefined;
    if (rest !== '' && Buffer.byteLength(rest) <= 100) return { prefix, name: rest };
  }
  return undefined;
}

/**
 * Encodes the header block(s) of one entry: a pax `x` header first (with its data) when a field does not
 * fit ustar (long path or link target, size of 8 GiB or more, large ids, long owner names), then the
 * ustar header itself. The result is a multiple of 512 bytes.
 */
export function encodeTarHeader(fields: TarHeaderFields): Buffer {
  const pax: Record<string, string> = {};
  const split = splitUstarName(fields.name);
  if (!split) pax.path = fields.name;
  if (Buffer.byteLength(fields.linkname) > 100) pax.linkpath = fields.linkname;
  if (!fitsOctal(fields.size, 12)) pax.size = String(fields.size);
  if (!fitsOctal(fields.uid, 8)) pax.uid = String(fields.uid);
  if (!fitsOctal(fields.gid, 8)) pax.gid = String(fields.gid);
  if (Buffer.byteLength(fields.uname) > 32) pax.uname = fields.uname;
  if (Buffer.byteLength(fields.gname) > 32) pax.gname = fields.gname;
  const seconds = Math.floor(fields.mtime.getTime() / 1000);
  if (!fitsOctal(seconds, 12)) pax.mtime = String(seconds);

  const block = Buffer.alloc(tarBlockSize);
  const fallbackName = fields.name.slice(-100);
  writeString(block, 0, 100, split ? split.name : fallbackName);
  writeOctal(block, 100, 8, fields.mode & 0o7777);
  writeOctal(block, 108, 8, pax.uid ? 0 : fields.uid);
  writeOctal(block, 116, 8, pax.gid ? 0 : fields.gid);
  writeOctal(block, 124, 12, pax.size ? 0 : fields.size);
  writeOctal(block, 136, 12, pax.mtime ? 0 : seconds);
  block.write(typeToTypeflag[fields.type], 156, 1, 'latin1');
  writeString(block, 157, 100, pax.linkpath ? fields.linkname.slice(0, 100) : fields.linkname);
  block.write('ustar\0', 257, 6, 'latin1');
  block.write('00', 263, 2, 'latin1');
  writeString(block, 265, 32, pax.uname ? '' : fields.uname);
  writeString(block, 297, 32, pax.gname ? '' : fields.gname);
  writeOctal(block, 329, 8, 0);
  writeOctal(block, 337, 8, 0);
  if (split?.prefix) writeString(block, 345, 155, split.prefix);
  writeChecksum(block);

  if (Object.keys(pax).length === 0) return block;
  const paxData = encodePaxRecords(pax);
  const baseName = fields.name.replace(/\/+$/, '').split('/').pop() ?? '';
  const paxHeader = encodeTarHeader({
    name: `PaxHeaders.0/${Buffer.from(baseName)
      .subarray(0, 80)
      .toString('utf8')
      .replace(/\uFFFD/g, '')}`,
    type: 'file',
    size: paxData.length,
    mode: 0o644,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    mtime: fitsOctal(seconds, 12) ? fields.mtime : new Date(0),
    linkname: '',
  });
  paxHeader.write('x', 156, 1, 'latin1');
  writeChecksum(paxHeader);
  return Buffer.concat([paxHeader, paxData, Buffer.alloc(tarPadding(paxData.length)), block]);
}

function writeChecksum(block: Buffer): void {
  block.fill(0x20, 148, 156);
  block.write(`${tarChecksum(block).unsigned.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
}

/** Zero bytes needed after `size` data bytes to reach the next block boundary. */
export function tarPadding(size: number): number {
  return (tarBlockSize - (size % tarBlockSize)) % tarBlockSize;
}
