import { CryptoError } from './crypto-error.js';

/** Options of {@link parseAgeRecipients}. */
export interface ParseAgeRecipientsOptions {
  /** One recipient per line; blank lines and `#` comments are skipped (the age recipients-file format). */
  text: string;
  /** Where the text comes from, for errors: `--recipient` or a file path. */
  source: string;
}

/**
 * Parses age recipients: native X25519 (`age1...`) and the post-quantum hybrid ones (`age1pq1...`), the
 * types `age-encryption` implements. `ssh-ed25519`/`ssh-rsa` recipients are refused with a remedy: the
 * library has no SSH recipient type.
 * @throws CryptoError `AGE_RECIPIENT_INVALID`, one line naming the source, the line and the value.
 */
export async function parseAgeRecipients(options: ParseAgeRecipientsOptions): Promise<string[]> {
  const recipients: string[] = [];
  const lines = options.text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const value = raw.trim();
    if (value === '' || value.startsWith('#')) continue;
    const where = lines.length > 1 ? `${options.source} line ${index + 1}` : options.source;
    const fail = (reason: string, remedy: string) =>
      new CryptoError({
        code: 'AGE_RECIPIENT_INVALID',
        message: `${where}: ${JSON.stringify(value.slice(0, 120))} ${reason}`,
        remedy,
        source: options.source,
        line: index + 1,
      });
    if (/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-)/.test(value)) {
      throw fail(
        'is an SSH public key; SSH recipients are not supported',
        'generate an age key with `age-keygen -o key.txt` and pass the age1... recipient it prints',
      );
    }
    if (!value.startsWith('age1')) {
      throw fail(
        'is not an age recipient',
        'pass a recipient starting with age1 (as printed by `age-keygen -y`)',
      );
    }
    // Loaded on first use: a backup without recipients (and every other command) starts ~70 ms sooner.
    const { Encrypter } = await import('age-encryption');
    try {
      new Encrypter().addRecipient(value);
    } catch (error) {
      throw fail(
        `is not a valid age recipient (${(error as Error).message.split(' in ')[0]})`,
        'copy the recipient again from `age-keygen -y KEYFILE`; it may be truncated or mistyped',
      );
    }
    recipients.push(value);
  }
  return recipients;
}
