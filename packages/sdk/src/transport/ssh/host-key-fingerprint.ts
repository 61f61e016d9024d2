/**
 * Turns the hex SHA-256 digest that ssh2 hands to `hostVerifier` (with `hostHash: 'sha256'`) into the
 * form OpenSSH prints (`ssh-keygen -l`, `ssh` on first connect): `SHA256:` + unpadded base64.
 */
export function hostKeyFingerprint(options: { sha256Hex: string }): string {
  return `SHA256:${Buffer.from(options.sha256Hex, 'hex').toString('base64').replace(/=+$/, '')}`;
}

/** Compares two OpenSSH fingerprints, ignoring base64 padding that some tools print. */
export function sameHostKey(options: { expected: string; actual: string }): boolean {
  const normalize = (value: string) => value.trim().replace(/=+$/, '');
  return normalize(options.expected) === normalize(options.actual);
}
