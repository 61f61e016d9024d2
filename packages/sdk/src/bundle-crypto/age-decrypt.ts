import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ageNonceBytes, ageSealedChunkBytes, ageStreamCipher } from './age-stream-cipher.js';
import { bufferChunksOf } from './buffer-chunks-of.js';
import { CryptoError } from './crypto-error.js';
import { readAgeHeader } from './read-age-header.js';
import { rechunkHoldingLast } from './rechunk-holding-last.js';

/** Options of {@link ageDecrypt}. */
export interface AgeDecryptOptions {
  /** An age v1 file (binary, as `age -e` writes without `-a`), read with backpressure. */
  source: Readable;
  /**
   * Receives the plaintext; ended when done. Each 64 KiB chunk is authenticated before it is written, but a
   * truncated or tampered file is only detected where the damage is: write to a temporary file and keep
   * it only when this resolves.
   */
  destination: Writable;
  /** Identities (`AGE-SECRET-KEY-1...`, see `loadAgeIdentities`); at least one. */
  identities: string[];
  /** Name of the encrypted file, for errors. Default `encrypted stream`. */
  sourceName?: string;
}

/** Byte counts of a decryption. */
export interface AgeDecryptResult {
  ciphertextBytes: number;
  plaintextBytes: number;
}

/**
 * Decrypts an age file with bounded memory. The header is read and authenticated by the `age-encryption`
 * library; the payload is opened with Node's native ChaCha20-Poly1305, one 64 KiB chunk at a time.
 * @throws CryptoError `AGE_NO_MATCHING_IDENTITY` (encrypted to someone else), `AGE_NOT_ENCRYPTED` (not an
 *   age file), `AGE_DECRYPT_FAILED` (corrupt or truncated); errors of source or destination as they are.
 */
export async function ageDecrypt(options: AgeDecryptOptions): Promise<AgeDecryptResult> {
  const name = options.sourceName ?? 'encrypted stream';
  if (options.identities.length === 0) {
    throw new CryptoError({
      code: 'AGE_NO_IDENTITIES',
      message: `no identity given to decrypt ${name}`,
      remedy: 'pass --identity with the age-keygen file whose public key the bundle was encrypted to',
      source: name,
    });
  }
  // Loaded on use, as in ageEncrypt.
  const { Decrypter } = await import('age-encryption');
  const decrypter = new Decrypter();
  for (const identity of options.identities) decrypter.addIdentity(identity);
  let ciphertextBytes = 0;
  let plaintextBytes = 0;
  const chunks = bufferChunksOf({
    source: options.source,
    onChunk: (chunk) => {
      ciphertextBytes += chunk.length;
    },
  });
  let payloadStart: number;
  let head: Buffer;
  let cipher: ReturnType<typeof ageStreamCipher>;
  try {
    const { header, rest } = await readAgeHeader({ chunks, name });
    let fileKey: Uint8Array;
    try {
      fileKey = await decrypter.decryptHeader(header);
    } catch (error) {
      throw headerError({ error, name });
    }
    head = rest;
    while (head.length < ageNonceBytes) {
      const next = await chunks.next();
      if (next.done) {
        fileKey.fill(0);
        throw corrupt({ name, reason: `it ends inside the age nonce after ${ciphertextBytes} bytes` });
      }
      head = Buffer.concat([head, next.value]);
    }
    cipher = ageStreamCipher({ fileKey, nonce: head.subarray(0, ageNonceBytes) });
    fileKey.fill(0);
    payloadStart = header.length + ageNonceBytes;
    head = head.subarray(ageNonceBytes);
  } catch (error) {
    await chunks.return(undefined);
    throw error;
  }

  async function* plaintext(): AsyncGenerator<Buffer> {
    let index = 0;
    for await (const { chunk: sealed, last } of rechunkHoldingLast({
      head,
      chunks,
      size: ageSealedChunkBytes,
    })) {
      const offset = payloadStart + index * ageSealedChunkBytes;
      const opened = cipher.open({ sealed, index, last });
      if (opened === undefined) {
        throw corrupt({
          name,
          reason:
            sealed.length === 0
              ? `the payload is missing after byte ${offset}`
              : `chunk ${index} at byte ${offset} fails authentication (${ciphertextBytes} bytes read)`,
        });
      }
      if (last && opened.length === 0 && index > 0) {
        throw corrupt({ name, reason: `its final chunk at byte ${offset} is empty` });
      }
      plaintextBytes += opened.length;
      index += 1;
      yield opened;
    }
  }

  try {
    await pipeline(plaintext(), options.destination);
  } finally {
    cipher.dispose();
  }
  return { ciphertextBytes, plaintextBytes };
}

function corrupt(options: { name: string; reason: string }): CryptoError {
  return new CryptoError({
    code: 'AGE_DECRYPT_FAILED',
    message: `${options.name} is corrupt or truncated: ${options.reason}`,
    remedy: 'use another copy of the bundle; discard what was decrypted so far',
    source: options.name,
  });
}

function headerError(options: { error: unknown; name: string }): CryptoError {
  const { error, name } = options;
  const message = (error as Error).message ?? String(error);
  if (/no identity matched/.test(message)) {
    return new CryptoError({
      code: 'AGE_NO_MATCHING_IDENTITY',
      message: `none of the given identities can decrypt ${name}`,
      remedy: 'pass the identity file whose public key (age-keygen -y FILE) was a recipient at backup time',
      source: name,
      cause: error,
    });
  }
  return new CryptoError({
    code: 'AGE_DECRYPT_FAILED',
    message: `cannot read the age header of ${name}: ${message}`,
    remedy: 'use another copy of the bundle',
    source: name,
    cause: error,
  });
}
