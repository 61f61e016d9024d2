import { createHash } from 'node:crypto';
import { SandboxError } from '../runtime/sandbox-error.js';

/**
 * The OpenSSH fingerprint of a public key line (`ssh-ed25519 AAAA... [comment]`) as `ssh-keygen -l`
 * prints it: `SHA256:` + unpadded base64 of the SHA-256 of the key blob (pure).
 * @throws SandboxError `SANDBOX_NODE_INVALID` when the line holds no base64 key blob.
 */
export function hostKeyFingerprint(publicKey: string): string {
  const blob = publicKey.trim().split(/\s+/)[1] ?? '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) {
    throw new SandboxError({
      code: 'SANDBOX_NODE_INVALID',
      message: `"${publicKey.slice(0, 40)}" is not an OpenSSH public key line`,
      remedy: 'pass the content of a .pub file: TYPE BASE64 [COMMENT]',
    });
  }
  const digest = createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}
