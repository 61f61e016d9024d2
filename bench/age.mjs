// age encryption of --mb=N MiB (default 200): the age-encryption library's whole JS path (header and
// ChaCha20-Poly1305 payload in @noble/ciphers) next to the SDK's ageEncrypt/ageDecrypt (library header,
// payload on Node's native ChaCha20-Poly1305), alternately, in one process. Prints the median MB/s of each
// and the ratio. Plaintext is a repeated random 1 MiB block fed in 1 MiB reads; the ciphertext is fed in
// 64 KiB reads like a file stream; outputs go to a counting sink. Run after a build:
// node bench/age.mjs [--mb=200] [--rounds=3]
import { createHash, randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { ageDecrypt, ageEncrypt } from '../packages/sdk/dist/index.js';

const flag = (name, fallback) =>
  Number(process.argv.find((argument) => argument.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const megabytes = flag('mb', 200);
const rounds = flag('rounds', 3);
const size = megabytes * 1024 * 1024;
const seed = randomBytes(1024 * 1024);
const identity = await generateX25519Identity();
const recipient = await identityToRecipient(identity);

function plaintextSource() {
  let produced = 0;
  return new Readable({
    read() {
      if (produced >= size) return void this.push(null);
      const chunk = seed.subarray(0, Math.min(seed.length, size - produced));
      produced += chunk.length;
      this.push(chunk);
    },
  });
}

function ciphertextSource(ciphertext) {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= ciphertext.length) return void this.push(null);
      this.push(ciphertext.subarray(offset, offset + 65536));
      offset += 65536;
    },
  });
}

function sink({ keep = false } = {}) {
  const kept = [];
  let bytes = 0;
  const writable = new Writable({
    write(chunk, _encoding, callback) {
      bytes += chunk.length;
      if (keep) kept.push(chunk);
      callback();
    },
  });
  return { writable, bytes: () => bytes, kept: () => Buffer.concat(kept) };
}

const expectedPlaintext = size;
const timed = async (work) => {
  const started = process.hrtime.bigint();
  const bytes = await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (bytes !== expectedPlaintext)
    throw new Error(`expected ${expectedPlaintext} plaintext bytes, got ${bytes}`);
  return seconds;
};

const paths = {
  async libraryEncrypt() {
    const encrypter = new Encrypter();
    encrypter.addRecipient(recipient);
    let plaintextBytes = 0;
    const source = plaintextSource().on('data', (chunk) => (plaintextBytes += chunk.length));
    const ciphertext = await encrypter.encrypt(Readable.toWeb(source));
    const out = sink();
    await pipeline(Readable.fromWeb(ciphertext), out.writable);
    return plaintextBytes;
  },
  async nativeEncrypt() {
    const out = sink();
    return (
      await ageEncrypt({ source: plaintextSource(), destination: out.writable, recipients: [recipient] })
    ).plaintextBytes;
  },
  async libraryDecrypt(ciphertext) {
    const decrypter = new Decrypter();
    decrypter.addIdentity(identity);
    const plaintext = await decrypter.decrypt(Readable.toWeb(ciphertextSource(ciphertext)));
    const out = sink();
    await pipeline(Readable.fromWeb(plaintext), out.writable);
    return out.bytes();
  },
  async nativeDecrypt(ciphertext) {
    const out = sink();
    return (
      await ageDecrypt({
        source: ciphertextSource(ciphertext),
        destination: out.writable,
        identities: [identity],
      })
    ).plaintextBytes;
  },
};

// One ciphertext for both decryptors, made by the library (the reference implementation of the format).
const reference = sink({ keep: true });
{
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  await pipeline(
    Readable.fromWeb(await encrypter.encrypt(Readable.toWeb(plaintextSource()))),
    reference.writable,
  );
}
const ciphertext = reference.kept();

// The native path must reproduce the plaintext before its speed means anything.
{
  const expectedHash = createHash('sha256');
  for (let done = 0; done < size; done += seed.length) {
    expectedHash.update(seed.subarray(0, Math.min(seed.length, size - done)));
  }
  const expected = expectedHash.digest('hex');
  const hash = createHash('sha256');
  const hashing = new Writable({
    write(chunk, _encoding, callback) {
      hash.update(chunk);
      callback();
    },
  });
  await ageDecrypt({ source: ciphertextSource(ciphertext), destination: hashing, identities: [identity] });
  if (hash.digest('hex') !== expected) throw new Error('ageDecrypt did not reproduce the plaintext');
}

const seconds = { libraryEncrypt: [], nativeEncrypt: [], libraryDecrypt: [], nativeDecrypt: [] };
for (let round = 0; round < rounds; round += 1) {
  for (const name of Object.keys(seconds)) {
    seconds[name].push(await timed(() => paths[name](ciphertext)));
  }
}

const median = (values) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)];
const rate = (name) => size / 1e6 / median(seconds[name]);
const row = (operation, library, native) =>
  `${operation.padEnd(8)} ${`${rate(library).toFixed(0)} MB/s (${median(seconds[library]).toFixed(2)} s)`.padEnd(22)} ${`${rate(native).toFixed(0)} MB/s (${median(seconds[native]).toFixed(2)} s)`.padEnd(22)} ${(rate(native) / rate(library)).toFixed(1)}x`;
process.stdout.write(
  `age, ${megabytes} MiB, median of ${rounds} alternating rounds, Node ${process.version}, load ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}\n` +
    `${'op'.padEnd(8)} ${'library (JS)'.padEnd(22)} ${'native (OpenSSL)'.padEnd(22)} native/library\n` +
    `${row('encrypt', 'libraryEncrypt', 'nativeEncrypt')}\n${row('decrypt', 'libraryDecrypt', 'nativeDecrypt')}\n`,
);
