import { generateX25519Identity } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { CryptoError } from './crypto-error.js';
import { parseAgeIdentities } from './parse-age-identities.js';

describe('parseAgeIdentities', () => {
  it('reads an age-keygen file with its comments', async () => {
    const identity = await generateX25519Identity();
    const text = `# created: 2026-11-26T14:00:00Z\n# public key: age1xyz\n${identity}\n`;
    expect(await parseAgeIdentities({ text, source: 'key.txt' })).toEqual([identity]);
  });

  it('names the bad line without ever echoing it (it may be a secret)', async () => {
    const identity = await generateX25519Identity();
    const mangled = `${identity.slice(0, -2)}QQ`;
    for (const [text, reason] of [
      [`# c\n${mangled}\n`, 'is a malformed age identity'],
      ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n', 'is not an age identity'],
    ] as const) {
      let caught: unknown;
      try {
        await parseAgeIdentities({ text, source: 'key.txt' });
      } catch (error) {
        caught = error;
      }
      expect(CryptoError.isInstance(caught)).toBe(true);
      const error = caught as CryptoError;
      expect(error.code).toBe('AGE_IDENTITY_INVALID');
      expect(error.message).toContain(`key.txt line ${text.startsWith('#') ? 2 : 1} ${reason}`);
      expect(error.toLine()).not.toContain(mangled);
      expect(error.toLine()).not.toContain('b3BlbnNz');
    }
  });
});
