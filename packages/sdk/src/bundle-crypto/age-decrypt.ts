import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { Decrypter } from 'age-encryption';
import { CryptoError } from './crypto-error.js';
import { webStreamOf } from './web-stream-of.js';

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
 * Decrypts an age file with bounded memory.
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
  const decrypter = new Decrypter();
  for (const identity of options.identities) decrypter.addIdentity(identity);
  let ciphertextBytes = 0;
  let plaintextBytes = 0;
  let sourceError: unknown;
  let head = Buffer.alloc(0);
  const ciphertext = webStreamOf({
    source: options.source,
    onChunk: (chunk) => {
      if (ciphertextBytes < ageMagic.length) head = Buffer.concat([head, chunk.subarray(0, ageMagic.length)]);
      ciphertextBytes += chunk.length;
    },
    onError: (error) => {
      sourceError = error;
    },
  });
  let plaintext: ReadableStream<Uint8Array>;
  try {
    plaintext = await decrypter.decrypt(ciphertext);
  } catch (error) {
    if (sourceError) throw sourceError;
    throw headerError({ error, name, isAgeFile: head.subarray(0, ageMagic.length).equals(ageMagic) });
  }
  const counted = Readable.fromWeb(plaintext as NodeReadableStream<Uint8Array>);
  let decryptError: unknown;
  counted.on('data', (chunk: Uint8Array) => {
    plaintextBytes += chunk.length;
  });
  // pipeline destroys the destination with the decryption error too: remember where the error started.
  counted.once('error', (error) => {
    decryptError ??= error;
  });
  try {
    await pipeline(counted, options.destination);
  } catch (error) {
    if (sourceError) throw sourceError;
    if (decryptError !== error) throw error;
    throw new CryptoError({
      code: 'AGE_DECRYPT_FAILED',
      message: `${name} is corrupt or truncated after ${ciphertextBytes} bytes (${(error as Error).message})`,
      remedy: 'use another copy of the bundle; discard what was decrypted so far',
      source: name,
      cause: error,
    });
  }
  return { ciphertextBytes, plaintextBytes };
}

const ageMagic = Buffer.from('age-encryption.org/');

function headerError(options: { error: unknown; name: string; isAgeFile: boolean }): CryptoError {
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
  if (!options.isAgeFile) {
    return new CryptoError({
      code: 'AGE_NOT_ENCRYPTED',
      message: `${name} is not an age file (it does not start with age-encryption.org/)`,
      remedy:
        'check that you passed the encrypted file; armored (-a) files are not accepted, dearmor them first',
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
