import { PassThrough, type Readable, Transform } from 'node:stream';
import type { Bundle } from '../../bundle/read-bundle.js';
import { ageDecrypt } from '../../bundle-crypto/age-decrypt.js';

/** Options of {@link openSnapshotPlaintext}. */
export interface OpenSnapshotPlaintextOptions {
  bundle: Bundle;
  /** The stored file, e.g. `snapshot.db` or `snapshot.db.age`. */
  path: string;
  encryption: 'none' | 'age';
  identities: string[];
}

/**
 * Streams a stored bundle file as plaintext (decrypting age on the way, in memory only) and counts its
 * bytes. `done` resolves with the byte count once the stream has ended, or rejects with the decryption error
 * (the stream is destroyed with it too).
 */
export async function openSnapshotPlaintext(
  options: OpenSnapshotPlaintextOptions,
): Promise<{ stream: Readable; done: Promise<number> }> {
  const source = await options.bundle.openFile({ path: options.path });
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  if (options.encryption === 'none') {
    const done = new Promise<number>((resolve, reject) => {
      counter.once('end', () => resolve(bytes));
      counter.once('error', reject);
      source.once('error', (error) => counter.destroy(error));
    });
    done.catch(() => undefined);
    return { stream: source.pipe(counter), done };
  }
  const plaintext = new PassThrough();
  const done = ageDecrypt({
    source,
    destination: plaintext,
    identities: options.identities,
    sourceName: `${options.bundle.path}/${options.path}`,
  }).then(
    (result) => result.plaintextBytes,
    (error: unknown) => {
      plaintext.destroy(error as Error);
      throw error;
    },
  );
  done.catch(() => undefined);
  return { stream: plaintext, done };
}
