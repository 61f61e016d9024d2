/** Options of {@link rechunkHoldingLast}. */
export interface RechunkHoldingLastOptions {
  /** Bytes that come before `chunks`. Default none. */
  head?: Buffer;
  /** The bytes to cut, in pieces of any size. */
  chunks: AsyncIterable<Buffer>;
  /** Size of every chunk but the last. */
  size: number;
}

/** One chunk of {@link rechunkHoldingLast}. */
export interface HeldChunk {
  chunk: Buffer;
  /** True for the final chunk only. */
  last: boolean;
}

/**
 * Cuts a byte stream into chunks of exactly `size` bytes and a final one of 0 to `size` bytes, marked
 * `last`. A full chunk is only released once a byte after it has arrived, so the final chunk is known
 * without reading ahead more than one input piece. The final chunk is empty only when the stream is.
 */
export async function* rechunkHoldingLast(options: RechunkHoldingLastOptions): AsyncGenerator<HeldChunk> {
  const { size } = options;
  let pending: Buffer[] = options.head && options.head.length > 0 ? [options.head] : [];
  let pendingBytes = options.head?.length ?? 0;
  const take = (): Buffer => {
    const first = pending[0] as Buffer;
    if (first.length >= size) {
      pending[0] = first.subarray(size);
      if (pending[0].length === 0) pending.shift();
      pendingBytes -= size;
      return first.subarray(0, size);
    }
    const chunk = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const piece = pending[0] as Buffer;
      const used = Math.min(piece.length, size - filled);
      piece.copy(chunk, filled, 0, used);
      filled += used;
      if (used === piece.length) pending.shift();
      else pending[0] = piece.subarray(used);
    }
    pendingBytes -= size;
    return chunk;
  };
  while (pendingBytes > size) yield { chunk: take(), last: false };
  for await (const piece of options.chunks) {
    if (piece.length === 0) continue;
    pending.push(piece);
    pendingBytes += piece.length;
    while (pendingBytes > size) yield { chunk: take(), last: false };
  }
  const rest = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
  pending = [];
  yield { chunk: rest, last: true };
}
