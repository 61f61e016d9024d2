import type { Readable } from 'node:stream';

/** Options of {@link bufferChunksOf}. */
export interface BufferChunksOfOptions {
  /** Read one chunk at a time, so the consumer's pace is the producer's. */
  source: Readable;
  /** Sees every chunk as it is read, to count bytes. */
  onChunk?: (chunk: Buffer) => void;
}

/**
 * The chunks of a Readable as Buffers, whatever it emits (strings, Uint8Arrays from `Readable.from`).
 * Returning early destroys the source, as the Readable's own async iterator does.
 */
export async function* bufferChunksOf(options: BufferChunksOfOptions): AsyncGenerator<Buffer> {
  for await (const value of options.source as AsyncIterable<Buffer | Uint8Array | string>) {
    const chunk =
      typeof value === 'string'
        ? Buffer.from(value)
        : Buffer.isBuffer(value)
          ? value
          : Buffer.from(value.buffer, value.byteOffset, value.length);
    options.onChunk?.(chunk);
    yield chunk;
  }
}
