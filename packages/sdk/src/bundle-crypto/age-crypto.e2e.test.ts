import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { Decrypter, Encrypter, type Recipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdDrError } from '../errors/etcd-dr-error.js';
import { ageDecrypt } from './age-decrypt.js';
import { ageEncrypt } from './age-encrypt.js';
import { ageSealedChunkBytes, ageStreamCipher } from './age-stream-cipher.js';
import { findAgeHeaderEnd } from './find-age-header-end.js';
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

/** Collects what is written to it. */
function collecting() {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  return { sink, bytes: () => Buffer.concat(chunks) };
}

async function oursEncrypt(plaintext: Buffer, recipients: string[]): Promise<Buffer> {
  const { sink, bytes } = collecting();
  const result = await ageEncrypt({ source: Readable.from([plaintext]), destination: sink, recipients });
  expect(result.plaintextBytes).toBe(plaintext.length);
  expect(result.ciphertextBytes).toBe(bytes().length);
  return bytes();
}

async function oursDecrypt(ciphertext: Buffer, identities: string[]): Promise<Buffer> {
  const { sink, bytes } = collecting();
  const result = await ageDecrypt({ source: Readable.from([ciphertext]), destination: sink, identities });
  expect(result.ciphertextBytes).toBe(ciphertext.length);
  expect(result.plaintextBytes).toBe(bytes().length);
  return bytes();
}

/** Sealed bytes of a payload of `size` plaintext bytes: 64 KiB chunks, a short or full last one, 16-byte tags. */
function sealedSize(size: number): number {
  const chunks = Math.max(1, Math.ceil(size / 65536));
  return size + 16 * chunks;
}

describe('age payload on native ChaCha20-Poly1305: chunking, interop, damage', () => {
  let dir: string;
  const keyFiles: string[] = [];
  const recipients: string[] = [];
  const identities: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'etcd-dr-age-stream-'));
    for (const index of [0, 1, 2]) {
      const keyFile = join(dir, `key-${index}.txt`);
      await run('age-keygen', ['-o', keyFile]);
      keyFiles.push(keyFile);
      recipients.push((await run('age-keygen', ['-y', keyFile])).stdout.trim());
      identities.push(...(await loadAgeIdentities({ identityFiles: [keyFile] })));
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cliDecrypt = async (ciphertext: Buffer, keyFile: string): Promise<Buffer> => {
    const input = join(dir, 'cli-in.age');
    await writeFile(input, ciphertext);
    // To stdout: with -o, age creates no file for an empty plaintext.
    const { stdout } = await run('age', ['-d', '-i', keyFile, input], {
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  };
  const cliEncrypt = async (plaintext: Buffer, recipient: string): Promise<Buffer> => {
    const input = join(dir, 'cli-in');
    const output = join(dir, 'cli-out.age');
    await writeFile(input, plaintext);
    await run('age', ['-r', recipient, '-o', output, input]);
    return readFile(output);
  };

  for (const size of [0, 1, 65535, 65536, 65537, 131072]) {
    it(`round-trips ${size} bytes through ours, the age CLI and the library, both ways`, async () => {
      const plaintext = randomBytes(size);
      const ours = await oursEncrypt(plaintext, [recipients[0]!]);
      expect(ours.length - findAgeHeaderEnd({ bytes: ours })).toBe(16 + sealedSize(size));
      expect((await cliDecrypt(ours, keyFiles[0]!)).equals(plaintext)).toBe(true);
      expect((await oursDecrypt(ours, [identities[0]!])).equals(plaintext)).toBe(true);
      const library = new Decrypter();
      library.addIdentity(identities[0]!);
      expect(Buffer.from(await library.decrypt(ours)).equals(plaintext)).toBe(true);

      const theirs = await cliEncrypt(plaintext, recipients[0]!);
      expect((await oursDecrypt(theirs, [identities[0]!])).equals(plaintext)).toBe(true);
      const encrypter = new Encrypter();
      encrypter.addRecipient(recipients[0]!);
      const libraries = Buffer.from(await encrypter.encrypt(plaintext));
      expect((await oursDecrypt(libraries, [identities[0]!])).equals(plaintext)).toBe(true);
    });
  }

  it('writes one stanza per recipient (the file-key recorder adds none), readable by each identity', async () => {
    const plaintext = randomBytes(200_000);
    for (const count of [1, 3]) {
      const ours = await oursEncrypt(plaintext, recipients.slice(0, count));
      const header = ours.subarray(0, findAgeHeaderEnd({ bytes: ours })).toString();
      const stanzas = header.split('\n').filter((line) => line.startsWith('-> '));
      expect(stanzas).toHaveLength(count);
      for (const stanza of stanzas) expect(stanza).toMatch(/^-> X25519 /);
      for (let index = 0; index < count; index += 1) {
        expect((await cliDecrypt(ours, keyFiles[index]!)).equals(plaintext)).toBe(true);
        expect((await oursDecrypt(ours, [identities[index]!])).equals(plaintext)).toBe(true);
      }
    }
    const toTwo = await oursEncrypt(plaintext, recipients.slice(0, 2));
    const refused = await ageDecrypt({
      source: Readable.from([toTwo]),
      destination: new PassThrough().resume(),
      identities: [identities[2]!],
    }).catch((error: unknown) => error as EtcdDrError);
    expect((refused as EtcdDrError).code).toBe('AGE_NO_MATCHING_IDENTITY');
  });

  it('never reuses a nonce: two encryptions of the same plaintext share no payload bytes', async () => {
    const plaintext = Buffer.alloc(1000);
    const first = await oursEncrypt(plaintext, [recipients[0]!]);
    const second = await oursEncrypt(plaintext, [recipients[0]!]);
    const payloadOf = (file: Buffer) => file.subarray(findAgeHeaderEnd({ bytes: file }));
    expect(payloadOf(first).subarray(0, 16).equals(payloadOf(second).subarray(0, 16))).toBe(false);
    expect(payloadOf(first).subarray(16).equals(payloadOf(second).subarray(16))).toBe(false);
  });

  describe('refuses damaged files as AGE_DECRYPT_FAILED, naming where', () => {
    // 3 full chunks and a short last one, from the age CLI.
    const plaintext = randomBytes(3 * 65536 + 1000);
    let whole: Buffer;
    let payloadStart: number;
    beforeAll(async () => {
      whole = await cliEncrypt(plaintext, recipients[0]!);
      payloadStart = findAgeHeaderEnd({ bytes: whole }) + 16;
      expect(whole.length).toBe(payloadStart + 3 * ageSealedChunkBytes + 1016);
    });

    async function refusal(damaged: Buffer) {
      const { sink, bytes } = collecting();
      const error = await ageDecrypt({
        source: Readable.from([damaged]),
        destination: sink,
        identities: [identities[0]!],
        sourceName: 'snap.db.age',
      }).then(
        () => expect.fail('expected AGE_DECRYPT_FAILED'),
        (reason: unknown) => reason as EtcdDrError,
      );
      expect(EtcdDrError.isInstance(error), String(error)).toBe(true);
      expect(error.code).toBe('AGE_DECRYPT_FAILED');
      expect(error.message).toContain('snap.db.age');
      const written = bytes();
      // Only authenticated chunks reach the destination, and they are the plaintext's own.
      expect(written.length % 65536).toBe(0);
      expect(written.equals(plaintext.subarray(0, written.length))).toBe(true);
      return { error, written };
    }

    it('a file truncated at a chunk boundary (the last full chunk is not sealed as last)', async () => {
      for (const chunks of [1, 2, 3]) {
        const { error } = await refusal(whole.subarray(0, payloadStart + chunks * ageSealedChunkBytes));
        const lastOffset = payloadStart + (chunks - 1) * ageSealedChunkBytes;
        expect(error.message).toContain(`chunk ${chunks - 1} at byte ${lastOffset} fails authentication`);
      }
    });

    it('a file truncated mid-chunk, inside the nonce, or right after the header', async () => {
      const { error } = await refusal(whole.subarray(0, payloadStart + ageSealedChunkBytes + 1000));
      expect(error.message).toContain(`chunk 1 at byte ${payloadStart + ageSealedChunkBytes}`);
      expect((await refusal(whole.subarray(0, payloadStart - 5))).error.message).toContain(
        'inside the age nonce',
      );
      expect((await refusal(whole.subarray(0, payloadStart))).error.message).toContain('payload is missing');
    });

    it('a flipped byte in the 3rd chunk, after writing the two chunks before it', async () => {
      const tampered = Buffer.from(whole);
      tampered[payloadStart + 2 * ageSealedChunkBytes + 500]! ^= 0x01;
      const { error, written } = await refusal(tampered);
      expect(error.message).toContain(`chunk 2 at byte ${payloadStart + 2 * ageSealedChunkBytes}`);
      expect(written.length).toBe(2 * 65536);
    });

    it('appended bytes, one or a whole chunk of them', async () => {
      for (const extra of [1, 16, ageSealedChunkBytes]) {
        const { error } = await refusal(Buffer.concat([whole, randomBytes(extra)]));
        expect(error.message).toContain('fails authentication');
      }
    });

    it('a flipped header byte (the library checks the MAC)', async () => {
      const tampered = Buffer.from(whole);
      tampered[findAgeHeaderEnd({ bytes: whole }) - 3]! ^= 0x01;
      const { error } = await refusal(tampered);
      expect(error.message).toContain('cannot read the age header of snap.db.age');
    });
  });

  it('refuses well-sealed but malformed payloads, like the age CLI: a short non-final chunk, an empty final chunk after others', async () => {
    /** An age file to recipients[0] whose payload is the given chunks, sealed with the right key. */
    const craft = async (chunks: { size: number; last: boolean }[]): Promise<Buffer> => {
      let fileKey: Uint8Array | undefined;
      const recorder: Recipient = {
        wrapFileKey(key) {
          fileKey = Uint8Array.from(key);
          return [];
        },
      };
      const encrypter = new Encrypter();
      encrypter.addRecipient(recipients[0]!);
      encrypter.addRecipient(recorder);
      const sample = await encrypter.encrypt(new Uint8Array(0));
      const nonce = randomBytes(16);
      const cipher = ageStreamCipher({ fileKey: fileKey!, nonce });
      return Buffer.concat([
        sample.subarray(0, findAgeHeaderEnd({ bytes: sample })),
        nonce,
        ...chunks.map(({ size, last }, index) => cipher.seal({ chunk: randomBytes(size), index, last })),
      ]);
    };
    const wellFormed = await craft([
      { size: 65536, last: false },
      { size: 10, last: true },
    ]);
    expect((await oursDecrypt(wellFormed, [identities[0]!])).length).toBe(65546);
    expect((await cliDecrypt(wellFormed, keyFiles[0]!)).length).toBe(65546);
    for (const malformed of [
      [
        { size: 1000, last: false },
        { size: 10, last: true },
      ],
      [
        { size: 65536, last: false },
        { size: 0, last: true },
      ],
      [{ size: 65536, last: false }],
    ]) {
      const file = await craft(malformed);
      expect(
        await caughtCode(
          ageDecrypt({
            source: Readable.from([file]),
            destination: new PassThrough().resume(),
            identities: [identities[0]!],
          }),
        ),
      ).toBe('AGE_DECRYPT_FAILED');
      await expect(cliDecrypt(file, keyFiles[0]!)).rejects.toThrow();
    }
  });
});
