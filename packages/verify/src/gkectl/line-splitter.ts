import { StringDecoder } from 'node:string_decoder';

/** Turns a byte stream arriving in arbitrary chunks into whole lines. */
export interface LineSplitter {
  /** Feeds a chunk; returns the lines it completed (without `\n`), possibly none. */
  push(chunk: Buffer): string[];
  /** Ends the stream; returns the last line when it had no trailing newline. */
  end(): string[];
}

/**
 * Creates a {@link LineSplitter}. Lines split across chunks, and UTF-8 characters split across chunks,
 * come out whole. A `\r` before `\n` is kept: the parser decides what a terminal would show.
 */
export function createLineSplitter(): LineSplitter {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const take = (text: string): string[] => {
    pending += text;
    const parts = pending.split('\n');
    pending = parts.pop()!;
    return parts;
  };
  return {
    push: (chunk) => take(decoder.write(chunk)),
    end: () => {
      const lines = take(decoder.end());
      if (pending !== '') lines.push(pending);
      pending = '';
      return lines;
    },
  };
}
