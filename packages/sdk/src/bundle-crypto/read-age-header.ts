import { CryptoError } from './crypto-error.js';
import { findAgeHeaderEnd } from './find-age-header-end.js';

const ageMagic = Buffer.from('age-encryption.org/');

/** Options of {@link readAgeHeader}. */
export interface ReadAgeHeaderOptions {
  /** The encrypted file's chunks, read up to the end of the header only. */
  chunks: AsyncIterator<Buffer>;
  /** Name of the encrypted file, for errors. */
  name: string;
  /** Largest header accepted. Default 1 MiB (a header is ~200 bytes per X25519 recipient). */
  maxBytes?: number;
}

/** The header of an age file and the bytes read after it. */
export interface AgeHeader {
  /** From `age-encryption.org/v1` up to and including the newline of the `--- <MAC>` line. */
  header: Buffer;
  /** The bytes read past the header: the start of the nonce and payload. */
  rest: Buffer;
}

/**
 * Reads the header of an age file, bounded; it is neither parsed nor authenticated here.
 * @throws CryptoError `AGE_NOT_ENCRYPTED` (does not start with `age-encryption.org/`), `AGE_DECRYPT_FAILED`
 *   (ends inside the header, or the header exceeds `maxBytes`); errors of the chunks as they are.
 */
export async function readAgeHeader(options: ReadAgeHeaderOptions): Promise<AgeHeader> {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  let bytes: Buffer = Buffer.alloc(0);
  for (;;) {
    const next = await options.chunks.next();
    if (next.done) {
      if (bytes.length < ageMagic.length) throw ageNotEncryptedError({ name: options.name });
      throw headerReadError({
        name: options.name,
        reason: `it ends inside the age header after ${bytes.length} bytes`,
      });
    }
    const searched = bytes.length;
    bytes = searched === 0 ? next.value : Buffer.concat([bytes, next.value]);
    if (!startsLikeAge(bytes)) throw ageNotEncryptedError({ name: options.name });
    const end = findAgeHeaderEnd({ bytes, from: searched });
    if (end >= 0 && end <= maxBytes) return { header: bytes.subarray(0, end), rest: bytes.subarray(end) };
    if (end > maxBytes || (end < 0 && bytes.length > maxBytes)) {
      throw headerReadError({ name: options.name, reason: `its age header exceeds ${maxBytes} bytes` });
    }
  }
}

/** True while `bytes` could still be the start of an age file. */
function startsLikeAge(bytes: Buffer): boolean {
  const compared = Math.min(bytes.length, ageMagic.length);
  return bytes.length > 0 && bytes.subarray(0, compared).equals(ageMagic.subarray(0, compared));
}

/** The error for input that is not an age file. */
export function ageNotEncryptedError(options: { name: string; cause?: unknown }): CryptoError {
  return new CryptoError({
    code: 'AGE_NOT_ENCRYPTED',
    message: `${options.name} is not an age file (it does not start with age-encryption.org/)`,
    remedy:
      'check that you passed the encrypted file; armored (-a) files are not accepted, dearmor them first',
    source: options.name,
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
}

function headerReadError(options: { name: string; reason: string }): CryptoError {
  return new CryptoError({
    code: 'AGE_DECRYPT_FAILED',
    message: `cannot read the age header of ${options.name}: ${options.reason}`,
    remedy: 'use another copy of the bundle',
    source: options.name,
  });
}
