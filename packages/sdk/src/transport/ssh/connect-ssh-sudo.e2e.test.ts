import { execFile } from 'node:child_process';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh } from './connect-ssh.js';
import type { SshConnection } from './ssh-connection.js';
import { expectSshError } from './testing/expect-ssh-error.js';
import { startTestSshd, type TestSshd } from './testing/start-test-sshd.js';

const run = promisify(execFile);

// Non-root logins as on GDC nodes (`ubuntu` with passwordless sudo), plus one whose sudo wants a password.
// The users exist only in the test sshd's own mount namespace; the host's /etc is untouched.
describe('connectSsh as a non-root user with sudo -n', () => {
  let sshd: TestSshd;
  let operator: SshConnection;
  let restricted: SshConnection;
  let secretPath: string;
  const node = (user: string) => ({
    name: 'cp-2',
    address: sshd.address,
    port: sshd.port,
    user,
    identityFile: sshd.clientKeyPath,
  });

  beforeAll(async () => {
    sshd = await startTestSshd({
      users: [
        { name: 'edrop', uid: 64001, sudoers: 'edrop ALL=(root) NOPASSWD: ALL' },
        { name: 'edrpw', uid: 64002, sudoers: 'edrpw ALL=(root) ALL' },
      ],
    });
    secretPath = join(sshd.dir, 'root-only.key');
    await writeFile(secretPath, 'private key material\n');
    await chmod(secretPath, 0o600);
    operator = await connectSsh({ node: node('edrop') });
    restricted = await connectSsh({ node: node('edrpw') });
  });
  afterAll(async () => {
    await operator?.close();
    await restricted?.close();
    await sshd?.stop();
  });

  it('logs in as the user and reads a root-only file only through sudo -n', async () => {
    expect((await operator.exec({ command: 'id -un' })).stdout.toString()).toBe('edrop\n');
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    await operator.readFile({ path: secretPath, sudo: true, destination: sink });
    expect(Buffer.concat(chunks).toString()).toBe('private key material\n');
    const denied = await expectSshError(
      operator.readFile({
        path: secretPath,
        destination: new PassThrough().resume(),
      }),
    );
    expect(denied.code).toBe('SSH_COMMAND_FAILED');
    expect(denied.message).toContain('Permission denied');
  });

  it('writes a root-owned file with the given mode through sudo, atomically', async () => {
    const target = join(sshd.dir, 'restored.key');
    await operator.writeFile({ path: target, mode: 0o600, sudo: true, source: 'restored key\n' });
    const info = await stat(target);
    expect(info.mode & 0o777).toBe(0o600);
    expect(info.uid).toBe(0);
    expect(await readFile(target, 'utf8')).toBe('restored key\n');
    const refused = await expectSshError(
      operator.writeFile({ path: join(sshd.dir, 'x'), mode: 0o600, source: 'x' }),
    );
    expect(refused.code).toBe('SSH_COMMAND_FAILED');
    expect(refused.message).toContain('Permission denied');
  });

  it('turns sudo asking for a password into SSH_SUDO_PASSWORD_REQUIRED with a remedy', async () => {
    const error = await expectSshError(restricted.exec({ command: 'id -u', sudo: true }));
    expect(error.code).toBe('SSH_SUDO_PASSWORD_REQUIRED');
    expect(error.message).toContain('edrpw');
    expect(error.message).toContain('cp-2');
    expect(error.remedy).toContain('NOPASSWD');
    const tar = await expectSshError(
      restricted.readTar({
        directory: sshd.dir,
        sudo: true,
        destination: new PassThrough().resume(),
      }),
    );
    expect(tar.code).toBe('SSH_SUDO_PASSWORD_REQUIRED');
    expect(tar.step).toBe('read-tar');
    expect((await restricted.exec({ command: 'echo without-sudo' })).exitCode).toBe(0);
  });

  it('stops a timed-out command on the node (sshd honours signals in non-root sessions)', async () => {
    const marker = `sleep ${31000 + Math.floor(Math.random() * 1000)}`;
    const error = await expectSshError(operator.exec({ command: marker, timeoutMs: 500 }));
    expect(error.code).toBe('SSH_TIMEOUT');
    let left = 'unknown';
    for (let attempt = 0; attempt < 20 && left !== ''; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = (await run('pgrep', ['-f', `^${marker}$`]).catch(() => ({ stdout: '' }))).stdout;
    }
    expect(left).toBe('');
  });
});
