import { describe, expect, it } from 'vitest';
import { readBackupInputs } from './read-backup-inputs.js';

const recipient = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
const inputs =
  (values: Record<string, string>) =>
  (name: string): string =>
    values[name] ?? '';

describe('readBackupInputs', () => {
  it('reads a config, recipients, name and retention', async () => {
    expect(
      await readBackupInputs(
        inputs({
          config: 'etcd-dr.yaml',
          recipients: `# ops\n${recipient}\n`,
          'artifact-name': 'user-1-nightly.tar',
          'retention-days': '14',
        }),
      ),
    ).toEqual({
      cluster: { kind: 'config', configPath: 'etcd-dr.yaml' },
      recipients: [recipient],
      allowUnencrypted: false,
      bundleName: 'user-1-nightly',
      retentionDays: 14,
    });
  });

  it('refuses an unencrypted upload unless allow-unencrypted is true', async () => {
    await expect(readBackupInputs(inputs({ config: 'c.yaml' }))).rejects.toThrow(
      /^input recipients: is empty, so the snapshot \(which holds every Kubernetes Secret\) would be uploaded unencrypted$/,
    );
    expect(
      (await readBackupInputs(inputs({ config: 'c.yaml', 'allow-unencrypted': 'true' }))).recipients,
    ).toEqual([]);
  });

  it('names what to set when no cluster is described', async () => {
    await expect(readBackupInputs(inputs({ recipients: recipient }))).rejects.toThrow(
      /^input config: no cluster is described$/,
    );
  });

  it('refuses an age secret key in recipients without echoing it', async () => {
    const secret = 'AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX';
    let message = '';
    try {
      await readBackupInputs(inputs({ config: 'c.yaml', recipients: secret }));
    } catch (error) {
      message = `${(error as Error).message} ${(error as { remedy?: string }).remedy}`;
    }
    expect(message).toMatch(/input recipients: holds an age secret key/);
    expect(message).not.toContain(secret);
  });

  it('names the bad recipient, the bad artifact name and the bad retention', async () => {
    await expect(
      readBackupInputs(inputs({ config: 'c.yaml', recipients: 'ssh-ed25519 AAAA' })),
    ).rejects.toThrow(/^input recipients: "ssh-ed25519 AAAA" is an SSH public key/);
    await expect(
      readBackupInputs(inputs({ config: 'c.yaml', recipients: recipient, 'artifact-name': 'a/b' })),
    ).rejects.toThrow(/^input artifact-name: "a\/b" is not a bundle name$/);
    await expect(
      readBackupInputs(inputs({ config: 'c.yaml', recipients: recipient, 'retention-days': '401' })),
    ).rejects.toThrow(/^input retention-days: "401" is not a whole number from 1 to 400$/);
  });
});
