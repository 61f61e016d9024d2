import { createHash } from 'node:crypto';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StepContext } from '../../apply/step-executor.js';
import { ageDecrypt } from '../../bundle-crypto/age-decrypt.js';

/** A stored bundle file as plaintext: a stream to consume, and a promise of its SHA-256 and size. */
export interface PlaintextBundleStream {
  /** The plaintext; errors when reading or decrypting fails (so an upload fed by it fails too). */
  stream: Readable;
  /** Settles once the whole file went through `stream`. */
  done: Promise<{ sha256: string; bytes: number }>;
}

/**
 * Opens a file of the bundle as plaintext, decrypting age files on the way with the context's identities, in
 * memory only: nothing is written locally.
 */
export async function openPlaintextBundleFile(options: {
  context: StepContext;
  stepId: string;
  path: string;
  encryption: 'none' | 'age';
}): Promise<PlaintextBundleStream> {
  const { context } = options;
  const source = await context.bundle.openFile({ path: options.path });
  const hash = createHash('sha256');
  let bytes = 0;
  let reported = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      if (bytes - reported >= 8 * 1024 * 1024) {
        reported = bytes;
        context.onProgress({ stepId: options.stepId, message: `sent ${options.path}`, bytesDone: bytes });
      }
      callback(null, chunk);
    },
  });
  const feeding =
    options.encryption === 'age'
      ? ageDecrypt({
          source,
          destination: counter,
          identities: context.identities,
          sourceName: `${context.bundle.path}/${options.path}`,
        })
      : pipeline(source, counter);
  const done = feeding.then(
    () => ({ sha256: hash.digest('hex'), bytes }),
    (error: unknown) => {
      counter.destroy(error as Error);
      throw error;
    },
  );
  // The consumer sees the failure through the stream; the promise must not count as unhandled meanwhile.
  done.catch(() => undefined);
  return { stream: counter, done };
}
