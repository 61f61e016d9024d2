import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { beforeAll, describe, expect, it } from 'vitest';
import { CryptoError } from './crypto-error.js';
import { parseAgeRecipients } from './parse-age-recipients.js';

let recipient: string;
beforeAll(async () => {
  recipient = await identityToRecipient(await generateX25519Identity());
});

async function failure(text: string, source = 'team.txt'): Promise<CryptoError> {
  try {
    await parseAgeRecipients({ text, source });
  } catch (error) {
    expect(CryptoError.isInstance(error)).toBe(true);
    return error as CryptoError;
  }
  return expect.fail('expected AGE_RECIPIENT_INVALID');
}

describe('parseAgeRecipients', () => {
  it('reads a recipients file: one per line, blank lines and # comments skipped', async () => {
    const text = `# ops team\n\n  ${recipient}  \r\n# end\n`;
    expect(await parseAgeRecipients({ text, source: 'team.txt' })).toEqual([recipient]);
  });

  it('names the file, the line and the value in one line', async () => {
    // One changed checksum character (never the one already there: 1 in 32 recipients ends in q).
    const broken = `${recipient.slice(0, -1)}${recipient.endsWith('q') ? 'p' : 'q'}`;
    const error = await failure(`# ok\n${recipient}\n${broken}\n`);
    expect(error.code).toBe('AGE_RECIPIENT_INVALID');
    expect(error.line).toBe(3);
    expect(error.toLine()).toMatch(
      /^AGE_RECIPIENT_INVALID: team\.txt line 3: "age1.*" is not a valid age recipient/,
    );
    expect(error.toLine()).not.toContain('\n');
  });

  it('refuses SSH and unknown recipients with a remedy', async () => {
    const ssh = await failure('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH0 user@host');
    expect(ssh.message).toContain('SSH recipients are not supported');
    expect(ssh.remedy).toContain('age-keygen');
    const flag = await failure('hunter2', '--recipient');
    expect(flag.message).toMatch(/^--recipient: "hunter2" is not an age recipient/);
  });
});
