import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeClientFrame } from './encode-client-frame.js';
import { webSocketOpcode } from './websocket-frame-reader.js';

function unmask(frame: Buffer): { opcode: number; fin: boolean; payload: Buffer } {
  expect(frame[1]! & 0x80).toBe(0x80);
  const short = frame[1]! & 0x7f;
  const extended = short === 126 ? 2 : short === 127 ? 8 : 0;
  const length =
    short === 126 ? frame.readUInt16BE(2) : short === 127 ? Number(frame.readBigUInt64BE(2)) : short;
  const key = frame.subarray(2 + extended, 6 + extended);
  const body = frame.subarray(6 + extended);
  expect(body.length).toBe(length);
  return {
    opcode: frame[0]! & 0x0f,
    fin: (frame[0]! & 0x80) !== 0,
    payload: Buffer.from(body.map((byte, index) => byte ^ key[index % 4]!)),
  };
}

describe('encodeClientFrame', () => {
  it.each([0, 5, 125, 126, 65_535, 65_536, 200_000])(
    'masks a %i-byte payload with each length encoding',
    (size) => {
      const payload = randomBytes(size);
      const decoded = unmask(encodeClientFrame({ opcode: webSocketOpcode.binary, payload }));
      expect(decoded).toEqual({ opcode: webSocketOpcode.binary, fin: true, payload });
    },
  );

  it.each([1, 2, 3, 4, 7, 130, 65_539])(
    'masks a payload given in parts (%i bytes after a 1-byte prefix)',
    (size) => {
      const chunk = randomBytes(size);
      const decoded = unmask(
        encodeClientFrame({ opcode: webSocketOpcode.binary, payload: [Buffer.from([0]), chunk] }),
      );
      expect(decoded.payload).toEqual(Buffer.concat([Buffer.from([0]), chunk]));
    },
  );

  it('uses a fresh random key each time, and the given one when told', () => {
    const payload = Buffer.from('same');
    const first = encodeClientFrame({ opcode: webSocketOpcode.binary, payload });
    const second = encodeClientFrame({ opcode: webSocketOpcode.binary, payload });
    expect(first.subarray(2, 6)).not.toEqual(second.subarray(2, 6));
    const fixed = encodeClientFrame({
      opcode: webSocketOpcode.close,
      payload,
      maskKey: Buffer.from([1, 2, 3, 4]),
    });
    expect([...fixed]).toEqual([0x88, 0x84, 1, 2, 3, 4, 0x73 ^ 1, 0x61 ^ 2, 0x6d ^ 3, 0x65 ^ 4]);
  });
});
