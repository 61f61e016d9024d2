import { randomFillSync } from 'node:crypto';
import { endianness } from 'node:os';

/** Options of {@link encodeClientFrame}. */
export interface EncodeClientFrameOptions {
  /** A WebSocket opcode; see `webSocketOpcode`. */
  opcode: number;
  /** The payload, or its parts in order (e.g. an exec channel byte and a chunk), joined without a copy first. */
  payload: Uint8Array | readonly Uint8Array[];
  /** The 4-byte masking key. Default: random, as RFC 6455 requires of a client. */
  maskKey?: Buffer;
}

const littleEndian = endianness() === 'LE';
// Masking keys come from one random pool refilled now and then, not from a random call per frame: a
// 500 MiB upload is ~8000 frames.
const keyPool = Buffer.allocUnsafe(4096);
let keyOffset = keyPool.length;

function nextMaskKey(): Buffer {
  if (keyOffset === keyPool.length) {
    randomFillSync(keyPool);
    keyOffset = 0;
  }
  keyOffset += 4;
  return keyPool.subarray(keyOffset - 4, keyOffset);
}

/**
 * Encodes one final (unfragmented) frame as a client must send it: masked (RFC 6455 section 5.3). The mask
 * is applied four bytes at a time on a word-aligned body: a byte loop costs about a second of CPU per
 * 500 MiB sent, which on a restore that streams the snapshot to several members is most of the client's work.
 */
export function encodeClientFrame(options: EncodeClientFrameOptions): Buffer {
  const { opcode } = options;
  const parts = options.payload instanceof Uint8Array ? [options.payload] : options.payload;
  const maskKey = options.maskKey ?? nextMaskKey();
  let length = 0;
  for (const part of parts) length += part.length;
  const extended = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const header = 2 + extended + 4;
  // allocUnsafeSlow gives an ArrayBuffer of its own (offset 0), so the padding makes the body 4-aligned.
  const padding = (4 - (header % 4)) % 4;
  const raw = Buffer.allocUnsafeSlow(padding + header + length);
  const frame = raw.subarray(padding);
  frame[0] = 0x80 | opcode;
  if (extended === 0) frame[1] = 0x80 | length;
  else if (extended === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  maskKey.copy(frame, 2 + extended, 0, 4);
  let at = header;
  for (const part of parts) {
    frame.set(part, at);
    at += part.length;
  }
  const bodyStart = raw.byteOffset + padding + header;
  const words = littleEndian ? length >>> 2 : 0;
  if (words > 0) {
    const view = new Int32Array(raw.buffer, bodyStart, words);
    const key = maskKey.readInt32LE(0);
    for (let index = 0; index < words; index++) view[index]! ^= key;
  }
  for (let index = words * 4; index < length; index++) frame[header + index]! ^= maskKey[index & 3]!;
  return frame;
}
