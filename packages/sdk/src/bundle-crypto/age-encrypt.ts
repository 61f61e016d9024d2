import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Recipient } from 'age-encryption';
import { EtcdDrError } from '../errors/etcd-dr-error.js';
import { ageNonceBytes, agePlaintextChunkBytes, ageStreamCipher } from './age-stream-cipher.js';
import { bufferChunksOf } from './buffer-chunks-of.js';
import { CryptoError } from './crypto-error.js';
import { findAgeHeaderEnd } from './find-age-header-end.js';
import { parseAgeRecipients } from './parse-age-recipients.js';
import { rechunkHoldingLast } from './rechunk-holding-last.js';

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
 * chunks with bounded memory whatever the size. The header comes from the `age-encryption` library; the
 * payload is sealed with Node's native ChaCha20-Poly1305.
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
  // Loaded on use: most commands never encrypt, and the library costs ~70 ms to load.
  const { Encrypter } = await import('age-encryption');
  const encrypter = new Encrypter();
  for (const recipient of options.recipients) {
    await parseAgeRecipients({ text: recipient, source: 'recipient' });
    encrypter.addRecipient(recipient);
  }
  let fileKey: Uint8Array | undefined;
  const fileKeyRecorder: Recipient = {
    wrapFileKey(key) {
      fileKey = key;
      return [];
    },
  };
  encrypter.addRecipient(fileKeyRecorder);
  // The library seals an empty payload under its own nonce: only its header is kept, and the payload gets
  // a fresh nonce so no key and nonce pair is used twice.
  const sample = await encrypter.encrypt(new Uint8Array(0));
  const headerEnd = findAgeHeaderEnd({ bytes: sample });
  if (fileKey === undefined || headerEnd < 0) {
    throw new EtcdDrError({
      code: 'AGE_LIBRARY_INCOMPATIBLE',
      message:
        'the age-encryption library did not hand its file key to a custom Recipient or wrote no header',
      remedy: 'install the age-encryption version in the SDK package.json (0.3.x)',
    });
  }
  const header = Buffer.from(sample.subarray(0, headerEnd));
  const nonce = randomBytes(ageNonceBytes);
  const cipher = ageStreamCipher({ fileKey, nonce });
  fileKey.fill(0);

  let plaintextBytes = 0;
  let ciphertextBytes = 0;
  async function* ciphertext(): AsyncGenerator<Buffer> {
    ciphertextBytes += header.length + nonce.length;
    yield Buffer.concat([header, nonce]);
    let index = 0;
    const chunks = bufferChunksOf({
      source: options.source,
      onChunk: (chunk) => {
        plaintextBytes += chunk.length;
      },
    });
    for await (const { chunk, last } of rechunkHoldingLast({ chunks, size: agePlaintextChunkBytes })) {
      const sealed = cipher.seal({ chunk, index, last });
      index += 1;
      ciphertextBytes += sealed.length;
      yield sealed;
    }
  }

  try {
    await pipeline(ciphertext(), options.destination);
  } finally {
    cipher.dispose();
  }
  return { plaintextBytes, ciphertextBytes };
}
