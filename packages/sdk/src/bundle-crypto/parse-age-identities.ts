import { CryptoError } from './crypto-error.js';

/** Options of {@link parseAgeIdentities}. */
export interface ParseAgeIdentitiesOptions {
  /** An identity file as `age-keygen` writes it: `AGE-SECRET-KEY-1...` lines, `#` comments. */
  text: string;
  /** Where the text comes from, for errors (a file path or `--identity`). */
  source: string;
}

/**
 * Parses age identities (X25519 `AGE-SECRET-KEY-1...` and hybrid `AGE-SECRET-KEY-PQ-1...`). Errors name the
 * source and line but never echo the line: it may hold a secret key.
 * @throws CryptoError `AGE_IDENTITY_INVALID`.
 */
export async function parseAgeIdentities(options: ParseAgeIdentitiesOptions): Promise<string[]> {
  const identities: string[] = [];
  const lines = options.text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const value = raw.trim();
    if (value === '' || value.startsWith('#')) continue;
    const fail = (reason: string) =>
      new CryptoError({
        code: 'AGE_IDENTITY_INVALID',
        message: `${options.source} line ${index + 1} ${reason}`,
        remedy:
          'pass a file written by `age-keygen` (lines starting with AGE-SECRET-KEY-1); SSH private keys are not supported',
        source: options.source,
        line: index + 1,
      });
    if (!value.startsWith('AGE-SECRET-KEY-')) throw fail('is not an age identity');
    // Loaded on first use, as in parseAgeRecipients.
    const { Decrypter } = await import('age-encryption');
    try {
      new Decrypter().addIdentity(value);
    } catch {
      throw fail('is a malformed age identity (truncated or mistyped)');
    }
    identities.push(value);
  }
  return identities;
}
