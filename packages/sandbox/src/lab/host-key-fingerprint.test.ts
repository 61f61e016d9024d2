import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostKeyFingerprint } from './host-key-fingerprint.js';

describe('hostKeyFingerprint', () => {
  it('prints what ssh-keygen -l prints for the same key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edr-fp-'));
    try {
      const key = join(dir, 'key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'x', '-f', key]);
      const printed = execFileSync('ssh-keygen', ['-l', '-f', `${key}.pub`], { encoding: 'utf8' }).split(
        ' ',
      )[1];
      expect(hostKeyFingerprint(await readFile(`${key}.pub`, 'utf8'))).toBe(printed);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a line without a key blob', () => {
    expect(() => hostKeyFingerprint('ssh-ed25519')).toThrow(/not an OpenSSH public key line/);
  });
});
