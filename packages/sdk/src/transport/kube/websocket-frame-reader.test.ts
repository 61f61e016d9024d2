import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebSocketFrameReader, WebSocketProtocolError, webSocketOpcode } from './websocket-frame-reader.js';

/** A frame as a server sends it (unmasked). */
function serverFrame(options: { opcode: number; payload: Buffer; fin?: boolean }): Buffer {
  const { payload } = options;
  const first = ((options.fin ?? true) ? 0x80 : 0) | options.opcode;
  if (payload.length < 126) return Buffer.concat([Buffer.from([first, payload.length]), payload]);
  if (payload.length < 65_536) {
    const header = Buffer.from([first, 126, 0, 0]);
    header.writeUInt16BE(payload.length, 2);
    return Buffer.concat([header, payload]);
  }
  const header = Buffer.alloc(10);
  header[0] = first;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(payload.length), 2);
  return Buffer.concat([header, payload]);
}

interface Seen {
  messages: Buffer[];
  controls: Array<{ opcode: number; payload: string }>;
  slices: number;
}

function readAll(stream: Buffer, chunkSizes: number[]): Seen {
  const seen: Seen = { messages: [], controls: [], slices: 0 };
  let current: Buffer[] = [];
  const reader = new WebSocketFrameReader({
    onMessageData(bytes, first, last) {
      if (first) current = [];
      current.push(Buffer.from(bytes));
      seen.slices++;
      if (last) seen.messages.push(Buffer.concat(current));
    },
    onControl(opcode, payload) {
      seen.controls.push({ opcode, payload: payload.toString('hex') });
    },
  });
  let offset = 0;
  let index = 0;
  while (offset < stream.length) {
    const size = chunkSizes[index++ % chunkSizes.length]!;
    reader.push(stream.subarray(offset, offset + size));
    offset += size;
  }
  return seen;
}

describe('WebSocketFrameReader', () => {
  const big = randomBytes(70_000);
  const medium = randomBytes(300);
  const stream = Buffer.concat([
    serverFrame({ opcode: webSocketOpcode.binary, payload: Buffer.from([1, 0x61]) }),
    serverFrame({ opcode: webSocketOpcode.binary, payload: big }),
    serverFrame({ opcode: webSocketOpcode.ping, payload: Buffer.from('hi') }),
    // One message in three fragments, with a control frame between them (allowed by RFC 6455).
    serverFrame({ opcode: webSocketOpcode.binary, payload: Buffer.from([2]), fin: false }),
    serverFrame({ opcode: webSocketOpcode.continuation, payload: medium, fin: false }),
    serverFrame({ opcode: webSocketOpcode.pong, payload: Buffer.alloc(0) }),
    serverFrame({ opcode: webSocketOpcode.continuation, payload: Buffer.from('end') }),
    serverFrame({ opcode: webSocketOpcode.binary, payload: Buffer.alloc(0) }),
    serverFrame({ opcode: webSocketOpcode.close, payload: Buffer.from([0x03, 0xe8]) }),
  ]);
  const expected = [
    Buffer.from([1, 0x61]),
    big,
    Buffer.concat([Buffer.from([2]), medium, Buffer.from('end')]),
    Buffer.alloc(0),
  ];

  it('hands out every message and control frame whatever the chunk boundaries', () => {
    for (const chunks of [[stream.length], [1], [2, 3, 5, 7], [16_384], [9, 65_537]]) {
      const seen = readAll(stream, chunks);
      // Buffer.equals: a deep toEqual over 70 000 bytes is slow on a loaded machine.
      expect(seen.messages.map((message) => message.length)).toEqual(
        expected.map((message) => message.length),
      );
      expect(seen.messages.every((message, index) => message.equals(expected[index]!))).toBe(true);
      expect(seen.controls).toEqual([
        { opcode: webSocketOpcode.ping, payload: Buffer.from('hi').toString('hex') },
        { opcode: webSocketOpcode.pong, payload: '' },
        { opcode: webSocketOpcode.close, payload: '03e8' },
      ]);
    }
  });

  it('gives views into the pushed chunk, not copies', () => {
    const chunk = serverFrame({ opcode: webSocketOpcode.binary, payload: randomBytes(1000) });
    const views: Buffer[] = [];
    new WebSocketFrameReader({
      onMessageData: (bytes) => views.push(bytes),
      onControl: () => undefined,
    }).push(chunk);
    expect(views).toHaveLength(1);
    expect(views[0]!.buffer).toBe(chunk.buffer);
    expect(views[0]!.byteOffset).toBe(chunk.byteOffset + 4);
  });

  it.each([
    ['a masked frame', Buffer.from([0x82, 0x81, 1, 2, 3, 4, 5])],
    ['reserved bits', Buffer.from([0xc2, 0x00])],
    ['a continuation outside a message', Buffer.from([0x80, 0x00])],
    ['a fragmented ping', Buffer.from([0x09, 0x00])],
    ['an unknown opcode', Buffer.from([0x83, 0x00])],
    ['a new message inside a fragmented one', Buffer.from([0x02, 0x00, 0x82, 0x00])],
  ])('refuses %s', (_name, bytes) => {
    const reader = new WebSocketFrameReader({ onMessageData: () => undefined, onControl: () => undefined });
    expect(() => reader.push(bytes)).toThrow(WebSocketProtocolError);
  });
});
