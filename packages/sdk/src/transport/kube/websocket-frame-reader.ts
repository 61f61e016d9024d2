/** WebSocket opcodes (RFC 6455 section 5.2). */
export const webSocketOpcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/** What a {@link WebSocketFrameReader} reports, in stream order. */
export interface WebSocketFrameEvents {
  /**
   * Payload bytes of a data message, as they arrive: a view into the pushed chunk, never a copy, valid as
   * long as that chunk is. `first` is true for the first call of a message (it may carry no bytes when the
   * message begins with an empty frame); `last` is true for the call that ends it.
   */
  onMessageData(bytes: Buffer, first: boolean, last: boolean): void;
  /** A whole control frame: close, ping or pong (payload at most 125 bytes). */
  onControl(opcode: number, payload: Buffer): void;
}

/** A frame the client must refuse (RFC 6455 section 5): the connection is to be failed. */
export class WebSocketProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebSocketProtocolError';
  }
}

const maxHeaderLength = 14;

/**
 * Incremental parser of the frames a WebSocket server sends. Pure: fed with the socket's chunks in order, it
 * hands out each data payload as views into those chunks, so that a bulk stream is never copied or
 * reassembled into whole messages (a message may be any size). Control frames are reassembled (they are tiny).
 */
export class WebSocketFrameReader {
  readonly #events: WebSocketFrameEvents;
  readonly #header = Buffer.alloc(maxHeaderLength);
  #headerLength = 0;
  /** Payload bytes left in the current frame; -1 while reading a header. */
  #remaining = -1;
  #opcode = 0;
  #fin = false;
  #inMessage = false;
  #messageStarted = false;
  #control: Buffer[] = [];

  constructor(events: WebSocketFrameEvents) {
    this.#events = events;
  }

  /** True between the first and the last frame of a fragmented data message. */
  get inMessage(): boolean {
    return this.#inMessage;
  }

  /** @throws WebSocketProtocolError on a frame a server must not send. */
  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#remaining < 0) {
        offset = this.#readHeader(chunk, offset);
        if (this.#remaining < 0) return;
        if (this.#remaining === 0) {
          this.#remaining = -1;
          this.#payload(Buffer.alloc(0), true);
        }
        continue;
      }
      const take = Math.min(this.#remaining, chunk.length - offset);
      const start = offset;
      offset += take;
      this.#remaining -= take;
      const end = this.#remaining === 0;
      if (end) this.#remaining = -1;
      this.#payload(chunk.subarray(start, offset), end);
    }
  }

  #readHeader(chunk: Buffer, offset: number): number {
    let position = offset;
    while (position < chunk.length) {
      this.#header[this.#headerLength++] = chunk[position++]!;
      const needed = this.#neededHeaderLength();
      if (needed !== undefined && this.#headerLength === needed) {
        this.#startFrame();
        return position;
      }
    }
    return position;
  }

  #neededHeaderLength(): number | undefined {
    if (this.#headerLength < 2) return undefined;
    const second = this.#header[1]!;
    const masked = (second & 0x80) !== 0;
    const length = second & 0x7f;
    const extended = length === 126 ? 2 : length === 127 ? 8 : 0;
    return 2 + extended + (masked ? 4 : 0);
  }

  #startFrame(): void {
    const first = this.#header[0]!;
    const second = this.#header[1]!;
    this.#headerLength = 0;
    if ((first & 0x70) !== 0)
      throw new WebSocketProtocolError('reserved bits set (no extension was negotiated)');
    if ((second & 0x80) !== 0) throw new WebSocketProtocolError('the server sent a masked frame');
    const opcode = first & 0x0f;
    const fin = (first & 0x80) !== 0;
    let length = second & 0x7f;
    if (length === 126) length = this.#header.readUInt16BE(2);
    else if (length === 127) {
      const big = this.#header.readBigUInt64BE(2);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new WebSocketProtocolError('frame length too large');
      length = Number(big);
    }
    if (opcode >= 0x8) {
      if (
        opcode !== webSocketOpcode.close &&
        opcode !== webSocketOpcode.ping &&
        opcode !== webSocketOpcode.pong
      )
        throw new WebSocketProtocolError(`unknown control opcode ${opcode}`);
      if (!fin || length > 125) throw new WebSocketProtocolError('fragmented or oversized control frame');
      this.#control = [];
    } else if (opcode === webSocketOpcode.continuation) {
      if (!this.#inMessage) throw new WebSocketProtocolError('continuation frame outside a message');
    } else if (opcode === webSocketOpcode.text || opcode === webSocketOpcode.binary) {
      if (this.#inMessage) throw new WebSocketProtocolError('new message before the previous one ended');
      this.#inMessage = true;
      this.#messageStarted = false;
    } else {
      throw new WebSocketProtocolError(`unknown data opcode ${opcode}`);
    }
    this.#opcode = opcode;
    this.#fin = fin;
    this.#remaining = length;
  }

  #payload(bytes: Buffer, frameEnd: boolean): void {
    if (this.#opcode >= 0x8) {
      this.#control.push(bytes);
      if (frameEnd) {
        const payload = Buffer.concat(this.#control);
        this.#control = [];
        this.#events.onControl(this.#opcode, payload);
      }
      return;
    }
    const last = frameEnd && this.#fin;
    const first = !this.#messageStarted;
    if (bytes.length === 0 && !first && !last) return;
    this.#messageStarted = true;
    if (last) this.#inMessage = false;
    this.#events.onMessageData(bytes, first, last);
  }
}
