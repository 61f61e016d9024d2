const macLineStart = Buffer.from('\n--- ');

/** Options of {@link findAgeHeaderEnd}. */
export interface FindAgeHeaderEndOptions {
  /** The first bytes of an age file. */
  bytes: Uint8Array;
  /** Where to start looking: bytes before it were already searched. Default 0. */
  from?: number;
}

/**
 * The length of the age v1 header at the start of `bytes`: up to and including the newline that ends the
 * `--- <MAC>` line, or -1 when that line is not complete yet. Only the MAC line starts with `--- `: stanza
 * lines start with `-> ` and stanza bodies are base64, which has no `-`.
 */
export function findAgeHeaderEnd(options: FindAgeHeaderEndOptions): number {
  const bytes = Buffer.from(options.bytes.buffer, options.bytes.byteOffset, options.bytes.length);
  const from = Math.max(0, (options.from ?? 0) - macLineStart.length);
  const macLine = bytes.indexOf(macLineStart, from);
  if (macLine < 0) return -1;
  const end = bytes.indexOf(0x0a, macLine + macLineStart.length);
  return end < 0 ? -1 : end + 1;
}
