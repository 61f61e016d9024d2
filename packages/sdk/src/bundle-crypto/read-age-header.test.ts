import { describe, expect, it } from 'vitest';
import { CryptoError } from './crypto-error.js';
import { readAgeHeader } from './read-age-header.js';

const header = 'age-encryption.org/v1\n-> X25519 c2VjcmV0\nYWJj\n--- bWFjbWFjbWFj\n';

async function* piecesOf(text: string | Buffer, size: number) {
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

async function failure(text: string | Buffer, maxBytes?: number): Promise<CryptoError> {
  const error = await readAgeHeader({
    chunks: piecesOf(text, 7),
    name: 'snap.db.age',
    ...(maxBytes ? { maxBytes } : {}),
  }).then(
    () => expect.fail('expected a CryptoError'),
    (reason: unknown) => reason,
  );
  expect(CryptoError.isInstance(error)).toBe(true);
  return error as CryptoError;
}

describe('readAgeHeader', () => {
  it('returns the header and the bytes read after it, from pieces of any size', async () => {
    for (const size of [1, 5, 64, 4096]) {
      const { header: read, rest } = await readAgeHeader({
        chunks: piecesOf(`${header}NONCE-AND-PAYLOAD`, size),
        name: 'snap.db.age',
      });
      expect(read.toString()).toBe(header);
      expect('NONCE-AND-PAYLOAD'.startsWith(rest.toString())).toBe(true);
    }
  });

  it('refuses input that does not start like an age file as soon as it can tell', async () => {
    const error = await failure(Buffer.alloc(10 * 1024 * 1024, 0x41));
    expect(error.code).toBe('AGE_NOT_ENCRYPTED');
    expect(error.message).toContain('snap.db.age');
    expect((await failure('')).code).toBe('AGE_NOT_ENCRYPTED');
    expect((await failure('age-enc')).code).toBe('AGE_NOT_ENCRYPTED');
    expect((await failure('-----BEGIN AGE ENCRYPTED FILE-----\n')).code).toBe('AGE_NOT_ENCRYPTED');
  });

  it('refuses a header cut short or over the bound as AGE_DECRYPT_FAILED', async () => {
    const cut = await failure(header.slice(0, -3));
    expect(cut.code).toBe('AGE_DECRYPT_FAILED');
    expect(cut.message).toContain(`after ${header.length - 3} bytes`);
    const long = await failure(`age-encryption.org/v1\n${'-> x y\n'.repeat(200)}--- bWFj\n`, 1024);
    expect(long.code).toBe('AGE_DECRYPT_FAILED');
    expect(long.message).toContain('exceeds 1024 bytes');
  });
});
