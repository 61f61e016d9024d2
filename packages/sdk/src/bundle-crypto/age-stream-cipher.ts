import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';

/** Plaintext bytes in every STREAM chunk of an age v1 payload but the last. */
export const agePlaintextChunkBytes = 64 * 1024;
/** Bytes of the ChaCha20-Poly1305 tag that ends every sealed chunk. */
export const ageTagBytes = 16;
/** Bytes of a full sealed chunk: 64 KiB of ciphertext and its tag. */
export const ageSealedChunkBytes = agePlaintextChunkBytes + ageTagBytes;
/** Bytes of the random nonce between the age header and the payload. */
export const ageNonceBytes = 16;

/** Options of {@link ageStreamCipher}. */
export interface AgeStreamCipherOptions {
  /** The 16-byte file key of the age file. Not kept: the caller may zero it once this returns. */
  fileKey: Uint8Array;
  /** The 16-byte nonce written after the header. */
  nonce: Uint8Array;
}

/** Seals and opens the chunks of one age v1 payload; `dispose` zeroes the payload key. */
export interface AgeStreamCipher {
  /** Seals the chunk with 0-based `index`; `last` marks the final chunk of the payload. */
  seal(options: { chunk: Uint8Array; index: number; last: boolean }): Buffer;
  /** Opens the sealed chunk with 0-based `index`, or returns `undefined` when it fails authentication. */
  open(options: { sealed: Uint8Array; index: number; last: boolean }): Buffer | undefined;
  dispose(): void;
}

/**
 * The STREAM construction of age v1 (https://age-encryption.org/v1) on Node's native ChaCha20-Poly1305:
 * payload key = HKDF-SHA256(file key, salt = nonce, info = "payload"), chunk nonce = 11-byte big-endian
 * chunk index || last-chunk flag.
 */
export function ageStreamCipher(options: AgeStreamCipherOptions): AgeStreamCipher {
  const key = Buffer.from(hkdfSync('sha256', options.fileKey, options.nonce, 'payload', 32));
  const chunkNonce = (index: number, last: boolean): Buffer => {
    const nonce = Buffer.alloc(12);
    // 6 bytes of index cover 2^48 chunks of 64 KiB; the 5 bytes above them stay zero.
    nonce.writeUIntBE(index, 5, 6);
    nonce[11] = last ? 1 : 0;
    return nonce;
  };
  return {
    seal({ chunk, index, last }) {
      const cipher = createCipheriv('chacha20-poly1305', key, chunkNonce(index, last), {
        authTagLength: ageTagBytes,
      });
      const sealed = cipher.update(chunk);
      cipher.final();
      return Buffer.concat([sealed, cipher.getAuthTag()], sealed.length + ageTagBytes);
    },
    open({ sealed, index, last }) {
      if (sealed.length < ageTagBytes) return undefined;
      const decipher = createDecipheriv('chacha20-poly1305', key, chunkNonce(index, last), {
        authTagLength: ageTagBytes,
      });
      decipher.setAuthTag(sealed.subarray(sealed.length - ageTagBytes));
      const plaintext = decipher.update(sealed.subarray(0, sealed.length - ageTagBytes));
      try {
        decipher.final();
      } catch {
        plaintext.fill(0);
        return undefined;
      }
      return plaintext;
    },
    dispose() {
      key.fill(0);
    },
  };
}
