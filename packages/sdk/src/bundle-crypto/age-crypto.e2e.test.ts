import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdDrError } from '../errors/etcd-dr-error.js';
import { ageDecrypt } from './age-decrypt.js';
import { ageEncrypt } from './age-encrypt.js';
import { loadAgeIdentities, loadAgeRecipients } from './load-age-keys.js';

const run = promisify(execFile);

/** `size` bytes from a repeated random block, produced lazily so the source itself holds little memory. */
function generated(size: number, seed: Buffer): Readable {
  let produced = 0;
  return new Readable({
    read() {
      if (produced >= size) {
        this.push(null);
        return;
      }
      const chunk = seed.subarray(0, Math.min(seed.length, size - produced));
      produced += chunk.length;
      this.push(chunk);
    },
  });
}

function hashing() {
  const hash = createHash('sha256');
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback();
    },
  });
  return { sink, digest: () => hash.digest('hex'), bytes: () => bytes };
}

async function caughtCode(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => expect.fail('expected a CryptoError'),
    (reason: unknown) => reason,
  );
  expect(EtcdDrError.isInstance(error), String((error as Error).stack)).toBe(true);
  return (error as EtcdDrError).code;
}

describe('age encryption, interoperable with the age CLI', () => {
  let dir: string;
  let keyFile: string;
  let recipient: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'etcd-dr-age-'));
    keyFile = join(dir, 'key.txt');
    await run('age-keygen', ['-o', keyFile]);
    recipient = (await run('age-keygen', ['-y', keyFile])).stdout.trim();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('encrypts what `age -d -i` decrypts byte for byte', async () => {
    const plaintext = randomBytes(3 * 1024 * 1024 + 17);
    const recipientsFile = join(dir, 'recipients.txt');
    await writeFile(recipientsFile, `# backup operators\n\n${recipient}\n`);
    const recipients = await loadAgeRecipients({ recipientsFiles: [recipientsFile] });
    const encrypted = join(dir, 'ours.age');
    const result = await ageEncrypt({
      source: Readable.from([plaintext.subarray(0, 100_000), plaintext.subarray(100_000)]),
      destination: createWriteStream(encrypted),
      recipients,
    });
    expect(result.plaintextBytes).toBe(plaintext.length);
    expect((await readFile(encrypted)).subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    const decrypted = join(dir, 'ours.out');
    await run('age', ['-d', '-i', keyFile, '-o', decrypted, encrypted]);
    expect((await readFile(decrypted)).equals(plaintext)).toBe(true);
  });

  it('decrypts what `age -r` encrypted, and refuses the wrong identity, damage and non-age input', async () => {
    const plaintext = randomBytes(1024 * 1024 + 5);
    const input = join(dir, 'theirs.in');
    const encrypted = join(dir, 'theirs.age');
    await writeFile(input, plaintext);
    await run('age', ['-r', recipient, '-o', encrypted, input]);
    const identities = await loadAgeIdentities({ identityFiles: [keyFile] });
    const { sink, digest } = hashing();
    const result = await ageDecrypt({ source: createReadStream(encrypted), destination: sink, identities });
    expect(result.plaintextBytes).toBe(plaintext.length);
    expect(digest()).toBe(createHash('sha256').update(plaintext).digest('hex'));

    const otherKey = join(dir, 'other.txt');
    await run('age-keygen', ['-o', otherKey]);
    const wrong = await loadAgeIdentities({ identityFiles: [otherKey] });
    const drain = () => new PassThrough().resume();
    expect(
      await caughtCode(
        ageDecrypt({ source: createReadStream(encrypted), destination: drain(), identities: wrong }),
      ),
    ).toBe('AGE_NO_MATCHING_IDENTITY');
    const whole = await readFile(encrypted);
    const truncated = whole.subarray(0, whole.length - 1000);
    expect(
      await caughtCode(ageDecrypt({ source: Readable.from([truncated]), destination: drain(), identities })),
    ).toBe('AGE_DECRYPT_FAILED');
    const tampered = Buffer.from(whole);
    tampered[tampered.length - 70_000]! ^= 0x01;
    expect(
      await caughtCode(ageDecrypt({ source: Readable.from([tampered]), destination: drain(), identities })),
    ).toBe('AGE_DECRYPT_FAILED');
    expect(
      await caughtCode(ageDecrypt({ source: Readable.from([plaintext]), destination: drain(), identities })),
    ).toBe('AGE_NOT_ENCRYPTED');
  });

  it('streams 500 MiB through ours and the age CLI with bounded memory', async () => {
    const size = 500 * 1024 * 1024;
    const seed = randomBytes(1024 * 1024);
    const expected = createHash('sha256');
    for (let done = 0; done < size; done += seed.length) expected.update(seed);
    const expectedDigest = expected.digest('hex');

    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 25);
    try {
      // ours encrypts -> age -d decrypts -> hash
      const cli = spawn('age', ['-d', '-i', keyFile], { stdio: ['pipe', 'pipe', 'pipe'] });
      const cliHash = hashing();
      const cliOut = pipeline(cli.stdout, cliHash.sink);
      const exited = new Promise<number | null>((resolve) => cli.once('close', resolve));
      await ageEncrypt({ source: generated(size, seed), destination: cli.stdin, recipients: [recipient] });
      await cliOut;
      expect(await exited).toBe(0);
      expect(cliHash.bytes()).toBe(size);
      expect(cliHash.digest()).toBe(expectedDigest);

      // age -e encrypts -> ours decrypts -> hash
      const encrypting = spawn('age', ['-r', recipient], { stdio: ['pipe', 'pipe', 'pipe'] });
      const feeding = pipeline(generated(size, seed), encrypting.stdin);
      const oursHash = hashing();
      await ageDecrypt({
        source: encrypting.stdout,
        destination: oursHash.sink,
        identities: await loadAgeIdentities({ identityFiles: [keyFile] }),
      });
      await feeding;
      expect(oursHash.bytes()).toBe(size);
      expect(oursHash.digest()).toBe(expectedDigest);
    } finally {
      clearInterval(sampler);
    }
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
  });
});
