import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { Encrypter } from 'age-encryption';
import { CryptoError } from './crypto-error.js';
import { parseAgeRecipients } from './parse-age-recipients.js';
import { webStreamOf } from './web-stream-of.js';

/** Options of {@link ageEncrypt}. */
export interface AgeEncryptOptions {
  /** Plaintext, read with backpressure. */
  source: Readable;
  /** Receives the age file (binary, not armored); ended when done. */
  destination: Writable;
  /** Recipients (`age1...`, see `loadAgeRecipients`); at least one. */
  recipients: string[];
}

/** Byte counts of an encryption. */
export interface AgeEncryptResult {
  plaintextBytes: number;
  ciphertextBytes: number;
}

/**
 * Encrypts a stream to age recipients in the standard age v1 format (readable by `age -d`), in 64 KiB
 * chunks with bounded memory whatever the size.
 * @throws CryptoError `AGE_NO_RECIPIENTS` / `AGE_RECIPIENT_INVALID`; stream errors of source or destination
 *   as they are.
 */
export async function ageEncrypt(options: AgeEncryptOptions): Promise<AgeEncryptResult> {
  if (options.recipients.length === 0) {
    throw new CryptoError({
      code: 'AGE_NO_RECIPIENTS',
      message: 'ageEncrypt was called without recipients',
      remedy: 'pass at least one age1... recipient',
    });
  }
  const encrypter = new Encrypter();
  for (const recipient of options.recipients) {
    parseAgeRecipients({ text: recipient, source: 'recipient' });
    encrypter.addRecipient(recipient);
  }
  let plaintextBytes = 0;
  let ciphertextBytes = 0;
  const plaintext = webStreamOf({
    source: options.source,
    onChunk: (chunk) => {
      plaintextBytes += chunk.length;
    },
  });
  const ciphertext = await encrypter.encrypt(plaintext);
  const counted = Readable.fromWeb(ciphertext as NodeReadableStream<Uint8Array>);
  counted.on('data', (chunk: Uint8Array) => {
    ciphertextBytes += chunk.length;
  });
  await pipeline(counted, options.destination);
  return { plaintextBytes, ciphertextBytes };
}
