import type { Readable } from 'node:stream';

/**
 * A web ReadableStream over a Node Readable that reads exactly one chunk per pull: the consumer's pace is
 * the producer's, so memory stays bounded whatever `Readable.toWeb`'s buffering does in a Node version.
 * `onError` sees the source's own errors, so callers can tell them from the consumer's.
 */
export function webStreamOf(options: {
  source: Readable;
  onChunk?: (chunk: Buffer) => void;
  onError?: (error: unknown) => void;
}): ReadableStream<Uint8Array> {
  const iterator: AsyncIterator<Buffer | string> = options.source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let next: IteratorResult<Buffer | string>;
        try {
          next = await iterator.next();
        } catch (error) {
          options.onError?.(error);
          throw error;
        }
        if (next.done) {
          controller.close();
          return;
        }
        const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
        options.onChunk?.(chunk);
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 1 },
  );
}
