const macLinePrefix = Buffer.from('--- ');
const newline = 0x0a;

/** Options of {@link findAgeHeaderEnd}. */
export interface FindAgeHeaderEndOptions {
  /** The first bytes of an age file. */
  bytes: Uint8Array;
  /** Newlines before this offset were already looked at (an earlier, shorter `bytes`). Default 0. */
  from?: number;
}

/**
 * The length of the age v1 header at the start of `bytes`: up to and including the newline that ends the
 * `--- <MAC>` line, or -1 when that line is not complete yet. Only the MAC line starts with `--- `: stanza
 * lines start with `-> ` and stanza bodies are base64, which has no `-`.
 */
export function findAgeHeaderEnd(options: FindAgeHeaderEndOptions): number {
  const bytes = Buffer.from(options.bytes.buffer, options.bytes.byteOffset, options.bytes.length);
  for (let end = bytes.indexOf(newline, options.from ?? 0); end >= 0; end = bytes.indexOf(newline, end + 1)) {
    // lastIndexOf with a negative offset counts from the end: the first line needs no search.
    const lineStart = end === 0 ? 0 : bytes.lastIndexOf(newline, end - 1) + 1;
    if (
      end - lineStart >= macLinePrefix.length &&
      bytes.subarray(lineStart, lineStart + 4).equals(macLinePrefix)
    ) {
      return end + 1;
    }
  }
  return -1;
}
