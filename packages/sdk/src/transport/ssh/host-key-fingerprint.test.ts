import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hostKeyFingerprint, sameHostKey } from './host-key-fingerprint.js';

describe('hostKeyFingerprint', () => {
  it('prints the hex digest ssh2 gives as OpenSSH does: SHA256: and unpadded base64', () => {
    const digest = createHash('sha256').update('a host key blob').digest();
    const fingerprint = hostKeyFingerprint({ sha256Hex: digest.toString('hex') });
    expect(fingerprint).toBe(`SHA256:${digest.toString('base64').replace(/=+$/, '')}`);
    expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('compares fingerprints ignoring padding and surrounding space, not case', () => {
    const fingerprint = hostKeyFingerprint({ sha256Hex: 'ab'.repeat(32) });
    expect(sameHostKey({ expected: `${fingerprint}= `, actual: fingerprint })).toBe(true);
    expect(sameHostKey({ expected: fingerprint.toLowerCase(), actual: fingerprint })).toBe(false);
    expect(
      sameHostKey({ expected: hostKeyFingerprint({ sha256Hex: 'cd'.repeat(32) }), actual: fingerprint }),
    ).toBe(false);
  });
});
