import { randomBytes } from 'node:crypto';

/** Options of {@link encodeClientFrame}. */
export interface EncodeClientFrameOptions {
  /** A WebSocket opcode; see `webSocketOpcode`. */
  opcode: number;
  payload: Uint8Array;
  /** The 4-byte masking key. Default: random, as RFC 6455 requires of a client. */
  maskKey?: Buffer;
}

/** Encodes one final (unfragmented) frame as a client must send it: masked (RFC 6455 section 5.3). */
export function encodeClientFrame(options: EncodeClientFrameOptions): Buffer {
  const { opcode, payload } = options;
  const maskKey = options.maskKey ?? randomBytes(4);
  const length = payload.length;
  const extended = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const frame = Buffer.allocUnsafe(2 + extended + 4 + length);
  frame[0] = 0x80 | opcode;
  if (extended === 0) frame[1] = 0x80 | length;
  else if (extended === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const start = 2 + extended;
  maskKey.copy(frame, start, 0, 4);
  const body = start + 4;
  for (let index = 0; index < length; index++) frame[body + index] = payload[index]! ^ maskKey[index & 3]!;
  return frame;
}
