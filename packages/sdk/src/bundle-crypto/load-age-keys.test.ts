import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CryptoError } from './crypto-error.js';
import { loadAgeIdentities, loadAgeRecipients } from './load-age-keys.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'etcd-dr-age-keys-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadAgeRecipients and loadAgeIdentities', () => {
  it('merges flags and files, dropping duplicates; no recipient at all is allowed', async () => {
    const first = await identityToRecipient(await generateX25519Identity());
    const second = await identityToRecipient(await generateX25519Identity());
    const file = join(dir, 'recipients.txt');
    await writeFile(file, `# team\n${second}\n${first}\n`);
    expect(await loadAgeRecipients({ recipients: [first], recipientsFiles: [file] })).toEqual([
      first,
      second,
    ]);
    expect(await loadAgeRecipients({})).toEqual([]);
  });

  it('gives distinct codes for a missing file, an empty file and no identities', async () => {
    const code = (promise: Promise<unknown>) =>
      promise.then(
        () => 'resolved',
        (error: CryptoError) => error.code,
      );
    expect(await code(loadAgeRecipients({ recipientsFiles: [join(dir, 'nope')] }))).toBe(
      'AGE_RECIPIENTS_FILE_UNREADABLE',
    );
    const empty = join(dir, 'empty.txt');
    await writeFile(empty, '# nobody yet\n');
    expect(await code(loadAgeRecipients({ recipientsFiles: [empty] }))).toBe('AGE_NO_RECIPIENTS');
    expect(await code(loadAgeIdentities({ identityFiles: [empty] }))).toBe('AGE_NO_IDENTITIES');
    expect(await code(loadAgeIdentities({ identityFiles: [join(dir, 'nope')] }))).toBe(
      'AGE_IDENTITY_FILE_UNREADABLE',
    );
  });
});
