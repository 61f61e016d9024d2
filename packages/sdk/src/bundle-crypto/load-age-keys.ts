import { readFile } from 'node:fs/promises';
import { CryptoError } from './crypto-error.js';
import { parseAgeIdentities } from './parse-age-identities.js';
import { parseAgeRecipients } from './parse-age-recipients.js';

/** Options of {@link loadAgeRecipients}. */
export interface LoadAgeRecipientsOptions {
  /** Values of `--recipient` (each `age1...`). Default none. */
  recipients?: string[];
  /** Paths of `--recipients-file` (one recipient per line, `#` comments). Default none. */
  recipientsFiles?: string[];
}

/**
 * Collects the age recipients given as flags and in recipients files, validated, duplicates removed.
 * An empty result means "no encryption": the caller decides whether that is allowed and warns.
 * @throws CryptoError `AGE_RECIPIENT_INVALID` (naming flag or file and line), `AGE_RECIPIENTS_FILE_UNREADABLE`,
 *   `AGE_NO_RECIPIENTS` for a recipients file without any recipient.
 */
export async function loadAgeRecipients(options: LoadAgeRecipientsOptions): Promise<string[]> {
  const found: string[] = [];
  for (const value of options.recipients ?? []) {
    found.push(...(await parseAgeRecipients({ text: value, source: '--recipient' })));
  }
  for (const path of options.recipientsFiles ?? []) {
    const text = await readText(path, 'AGE_RECIPIENTS_FILE_UNREADABLE', 'recipients file');
    const parsed = await parseAgeRecipients({ text, source: path });
    if (parsed.length === 0) {
      throw new CryptoError({
        code: 'AGE_NO_RECIPIENTS',
        message: `recipients file ${path} holds no recipient`,
        remedy: 'add an age1... line, or drop the --recipients-file flag',
        source: path,
      });
    }
    found.push(...parsed);
  }
  return [...new Set(found)];
}

/** Options of {@link loadAgeIdentities}. */
export interface LoadAgeIdentitiesOptions {
  /** Paths of age identity files (as written by `age-keygen`). At least one. */
  identityFiles: string[];
}

/**
 * Reads age identities for decryption. Their content never appears in errors.
 * @throws CryptoError `AGE_IDENTITY_FILE_UNREADABLE`, `AGE_IDENTITY_INVALID`, `AGE_NO_IDENTITIES`.
 */
export async function loadAgeIdentities(options: LoadAgeIdentitiesOptions): Promise<string[]> {
  const found: string[] = [];
  for (const path of options.identityFiles) {
    const text = await readText(path, 'AGE_IDENTITY_FILE_UNREADABLE', 'identity file');
    found.push(...(await parseAgeIdentities({ text, source: path })));
  }
  if (found.length === 0) {
    throw new CryptoError({
      code: 'AGE_NO_IDENTITIES',
      message: `no age identity in ${options.identityFiles.join(', ') || '(no identity file given)'}`,
      remedy: 'pass --identity with the age-keygen file whose public key the bundle was encrypted to',
    });
  }
  return found;
}

async function readText(
  path: string,
  code: 'AGE_RECIPIENTS_FILE_UNREADABLE' | 'AGE_IDENTITY_FILE_UNREADABLE',
  what: string,
): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new CryptoError({
      code,
      message: `cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      remedy: `check the path of the ${what}`,
      source: path,
      cause: error,
    });
  }
}
