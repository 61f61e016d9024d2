import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshNode } from '../../cluster/cluster-config.js';
import { connectSsh } from './connect-ssh.js';
import type { SshConnection } from './ssh-connection.js';
import { expectSshError } from './testing/expect-ssh-error.js';
import { freePort, startTestSshd, type TestSshd } from './testing/start-test-sshd.js';

const run = promisify(execFile);

function nodeOf(sshd: TestSshd, overrides: Partial<SshNode> = {}): SshNode {
  return {
    name: 'cp-1',
    address: sshd.address,
    port: sshd.port,
    user: 'root',
    identityFile: sshd.clientKeyPath,
    ...overrides,
  };
}

function hashingSink(options: { delayMs?: number } = {}) {
  const hash = createHash('sha256');
  let bytes = 0;
  const sink = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      if (options.delayMs) setTimeout(callback, options.delayMs);
      else callback();
    },
  });
  return { sink, digest: () => hash.digest('hex'), bytes: () => bytes };
}

async function sha256File(path: string): Promise<string> {
  return (await run('sha256sum', [path])).stdout.split(' ')[0]!;
}

describe('connectSsh against a real OpenSSH sshd', () => {
  let sshd: TestSshd;
  let connection: SshConnection;
  let bigFile: string;

  beforeAll(async () => {
    sshd = await startTestSshd();
    connection = await connectSsh({ node: nodeOf(sshd) });
    // 200 MiB, sparse, with random blocks so a misplaced byte changes the hash.
    bigFile = join(sshd.dir, 'big.bin');
    await run('truncate', ['-s', '200M', bigFile]);
    for (const seek of [0, 7, 99, 199]) {
      await run('dd', [
        'if=/dev/urandom',
        `of=${bigFile}`,
        'bs=1M',
        'count=1',
        `seek=${seek}`,
        'conv=notrunc',
        'status=none',
      ]);
    }
    await chmod(bigFile, 0o600);
  });
  afterAll(async () => {
    await connection?.close();
    await sshd?.stop();
  });

  it('trusts an unpinned host key on first use and reports the fingerprint ssh-keygen -lf prints', () => {
    expect(connection.hostKey).toEqual({ fingerprint: sshd.hostKeyFingerprint, trust: 'first-use' });
    expect(connection.jumpHostKey).toBeUndefined();
  });

  it('accepts the pinned host key and refuses a changed one naming both fingerprints', async () => {
    const pinned = await connectSsh({ node: nodeOf(sshd, { hostKey: sshd.hostKeyFingerprint }) });
    expect(pinned.hostKey.trust).toBe('pinned');
    await pinned.close();
    const other = `SHA256:${Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '')}`;
    const error = await expectSshError(connectSsh({ node: nodeOf(sshd), expectedHostKey: other }));
    expect(error.code).toBe('SSH_HOST_KEY_MISMATCH');
    expect(error.message).toContain('cp-1');
    expect(error.message).toContain(other);
    expect(error.message).toContain(sshd.hostKeyFingerprint);
    expect(error.actualHostKey).toBe(sshd.hostKeyFingerprint);
    expect(error.remedy).toContain('hostKey');
  });

  it('maps a refused key to SSH_AUTH_FAILED and a closed port to SSH_UNREACHABLE', async () => {
    const otherKey = join(sshd.dir, 'unknown_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
    const auth = await expectSshError(connectSsh({ node: nodeOf(sshd, { identityFile: otherKey }) }));
    expect(auth.code).toBe('SSH_AUTH_FAILED');
    expect(auth.message).toContain('cp-1');
    const closed = await expectSshError(connectSsh({ node: nodeOf(sshd, { port: await freePort() }) }));
    expect(closed.code).toBe('SSH_UNREACHABLE');
    expect(closed.message).toContain('ECONNREFUSED');
    const missing = await expectSshError(
      connectSsh({ node: nodeOf(sshd, { identityFile: join(sshd.dir, 'nope') }) }),
    );
    expect(missing.code).toBe('SSH_IDENTITY_UNREADABLE');
    const lockedKey = join(sshd.dir, 'locked_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'a passphrase', '-f', lockedKey]);
    const locked = await expectSshError(connectSsh({ node: nodeOf(sshd, { identityFile: lockedKey }) }));
    expect(locked.code).toBe('SSH_IDENTITY_UNREADABLE');
    expect(locked.remedy).toContain('passphrase');
    expect(locked.toLine()).not.toContain((await readFile(lockedKey, 'utf8')).split('\n')[1]);
  });

  it('times out a host that accepts TCP but never speaks SSH', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const started = Date.now();
      const error = await expectSshError(connectSsh({ node: nodeOf(sshd, { port }), timeoutMs: 700 }));
      expect(error.code).toBe('SSH_TIMEOUT');
      expect(error.isRetryable).toBe(true);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('runs commands with stdin, exit codes, signals and separate stderr', async () => {
    const echoed = await connection.exec({ command: 'tr a-z A-Z; echo oops >&2; exit 3', stdin: 'hello\n' });
    expect(echoed.exitCode).toBe(3);
    expect(echoed.stdout.toString()).toBe('HELLO\n');
    expect(echoed.stderr).toBe('oops\n');
    const streamedIn = await connection.exec({
      command: 'wc -c',
      stdin: Readable.from([Buffer.alloc(3_000_000, 1), Buffer.alloc(1_000_000, 2)]),
    });
    expect(streamedIn.stdout.toString().trim()).toBe('4000000');
    const ignoresInput = await connection.exec({
      command: 'exit 4',
      stdin: Readable.from(
        (function* () {
          for (let index = 0; index < 400; index++) yield Buffer.alloc(256 * 1024, index);
        })(),
      ),
    });
    expect(ignoresInput.exitCode).toBe(4);
    const killed = await connection.exec({ command: 'kill -KILL $$' });
    expect(killed.exitCode).toBeNull();
    expect(killed.exitSignal).toBe('SIGKILL');
    const sudo = await connection.exec({ command: 'id -u', sudo: true });
    expect(sudo.stdout.toString().trim()).toBe('0');
  });

  it('refuses to collect unbounded output without a stdout stream', async () => {
    const error = await expectSshError(
      connection.exec({ command: 'head -c 100000 /dev/zero', maxOutputBytes: 1000 }),
    );
    expect(error.code).toBe('SSH_OUTPUT_TOO_LARGE');
    const after = await connection.exec({ command: 'echo still-usable' });
    expect(after.stdout.toString()).toBe('still-usable\n');
  });

  it('streams a 200 MiB root-only file with sudo, hash intact, memory bounded', async () => {
    const expected = await sha256File(bigFile);
    const { sink, digest, bytes } = hashingSink();
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    try {
      const result = await connection.readFile({ path: bigFile, sudo: true, destination: sink });
      expect(result.bytes).toBe(200 * 1024 * 1024);
    } finally {
      clearInterval(sampler);
    }
    expect(bytes()).toBe(200 * 1024 * 1024);
    expect(digest()).toBe(expected);
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('resumes a read from an offset', async () => {
    const { sink, digest } = hashingSink();
    const offset = 150 * 1024 * 1024 + 123;
    const result = await connection.readFile({ path: bigFile, offset, destination: sink });
    expect(result.bytes).toBe(200 * 1024 * 1024 - offset);
    const expected = await run('sh', ['-c', `tail -c +${offset + 1} ${bigFile} | sha256sum`]);
    expect(digest()).toBe(expected.stdout.split(' ')[0]);
  });

  it('fails a read of a missing file with SSH_COMMAND_FAILED and sudo stderr', async () => {
    const error = await expectSshError(
      connection.readFile({ path: '/nonexistent/x', sudo: true, destination: new PassThrough().resume() }),
    );
    expect(error.code).toBe('SSH_COMMAND_FAILED');
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('No such file');
    const relative = await expectSshError(
      connection.readFile({ path: 'etc/x', destination: new PassThrough() }),
    );
    expect(relative.code).toBe('SSH_INVALID_ARGUMENT');
  });

  it('archives a directory of 0600 files with sudo tar, keeping modes and changing none', async () => {
    const pki = join(sshd.dir, 'pki');
    await mkdir(join(pki, 'etcd'), { recursive: true, mode: 0o755 });
    await writeFile(join(pki, 'ca.key'), 'secret-ca-key\n', { mode: 0o600 });
    await writeFile(join(pki, 'etcd', 'peer.key'), 'secret-peer-key\n', { mode: 0o600 });
    await writeFile(join(pki, 'ca.crt'), 'public\n', { mode: 0o644 });
    const archive = join(sshd.dir, 'pki.tar');
    const result = await connection.readTar({
      directory: pki,
      sudo: true,
      destination: createWriteStream(archive),
    });
    expect(result.bytes).toBe((await stat(archive)).size);
    const listing = (await run('tar', ['-tvf', archive])).stdout;
    const relative = pki.slice(1);
    expect(listing).toMatch(new RegExp(`^-rw------- root/root +\\d+ .* ${relative}/ca\\.key$`, 'm'));
    expect(listing).toMatch(new RegExp(`^-rw------- root/root +\\d+ .* ${relative}/etcd/peer\\.key$`, 'm'));
    expect(listing).toMatch(new RegExp(`^-rw-r--r-- root/root +\\d+ .* ${relative}/ca\\.crt$`, 'm'));
    expect((await stat(join(pki, 'ca.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(pki, 'etcd', 'peer.key'))).mode & 0o777).toBe(0o600);
    const extracted = (await run('tar', ['-xOf', archive, `${relative}/etcd/peer.key`])).stdout;
    expect(extracted).toBe('secret-peer-key\n');
  });

  it('writes a file atomically with the given mode from a stream', async () => {
    const target = join(sshd.dir, 'restored', 'snapshot.db');
    await mkdir(join(sshd.dir, 'restored'));
    const content = Buffer.alloc(5_000_000, 0xab);
    const written = await connection.writeFile({
      path: target,
      mode: 0o600,
      sudo: true,
      source: Readable.from([content.subarray(0, 2_000_000), content.subarray(2_000_000)]),
    });
    expect(written.bytes).toBe(content.length);
    expect((await readFile(target)).equals(content)).toBe(true);
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1000, 1));
        this.destroy(new Error('source broke'));
      },
    });
    await expect(connection.writeFile({ path: target, mode: 0o644, source: failing })).rejects.toThrow(
      'source broke',
    );
    // A source that breaks at once races the remote shell that creates the partial file: again and again.
    for (let attempt = 0; attempt < 10; attempt++) {
      const broken = new Readable({
        read() {
          this.destroy(new Error('source broke at once'));
        },
      });
      await expect(connection.writeFile({ path: target, mode: 0o644, source: broken })).rejects.toThrow(
        'source broke at once',
      );
    }
    expect((await readFile(target)).equals(content)).toBe(true);
    const partials = (await run('ls', ['-a', join(sshd.dir, 'restored')])).stdout;
    expect(partials).not.toContain('etcd-dr-partial');
  });

  it('reports free disk space as df sees it', async () => {
    const free = await connection.statDiskFree({ path: sshd.dir });
    const df = (await run('df', ['-Pk', sshd.dir])).stdout.split('\n')[1]!.split(/\s+/);
    expect(free.totalBytes).toBe(Number(df[1]) * 1024);
    expect(Math.abs(free.availableBytes - Number(df[3]) * 1024)).toBeLessThan(64 * 1024 * 1024);
    expect(free.mountPoint).toBe(df[5]);
  });

  it('times out a hanging command and aborts on request, the connection staying usable', async () => {
    // sshd ignores signal requests in root sessions (no privilege separation after a root login), so a
    // root command outlives the timeout: keep it short. The non-root suite checks that it is stopped.
    const started = Date.now();
    const error = await expectSshError(connection.exec({ command: 'sleep 4', timeoutMs: 500 }));
    expect(error.code).toBe('SSH_TIMEOUT');
    expect(error.step).toBe('exec');
    expect(Date.now() - started).toBeLessThan(3000);
    const aborted = new AbortController();
    setTimeout(() => aborted.abort(), 200);
    const abortError = await expectSshError(connection.exec({ command: 'sleep 4', signal: aborted.signal }));
    expect(abortError.code).toBe('SSH_ABORTED');
    expect((await connection.exec({ command: 'echo ok' })).stdout.toString()).toBe('ok\n');
  });

  it('reports SSH_CONNECTION_LOST with the bytes delivered when the serving sshd dies, then resumes', async () => {
    const own = await connectSsh({ node: nodeOf(sshd) });
    const partialPath = join(sshd.dir, 'resumed.bin');
    const destination = createWriteStream(partialPath);
    let killed = false;
    const slow = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        destination.write(chunk, () => setTimeout(callback, 1));
        if (!killed && destination.bytesWritten > 20 * 1024 * 1024) {
          killed = true;
          void sshd.killConnections();
        }
      },
      final(callback) {
        destination.end(callback);
      },
    });
    const error = await expectSshError(own.readFile({ path: bigFile, sudo: true, destination: slow }));
    expect(killed).toBe(true);
    expect(error.code).toBe('SSH_CONNECTION_LOST');
    expect(error.isRetryable).toBe(true);
    const received = (await stat(partialPath)).size;
    expect(error.bytesTransferred).toBe(received);
    expect(received).toBeGreaterThan(20 * 1024 * 1024);
    expect(received).toBeLessThan(200 * 1024 * 1024);
    const next = await expectSshError(own.exec({ command: 'true' }));
    expect(next.code).toBe('SSH_CONNECTION_LOST');
    await own.close();

    const again = await connectSsh({ node: nodeOf(sshd) });
    await again.readFile({
      path: bigFile,
      sudo: true,
      offset: received,
      destination: createWriteStream(partialPath, { flags: 'a' }),
    });
    await again.close();
    expect(await sha256File(partialPath)).toBe(await sha256File(bigFile));
  });
});
