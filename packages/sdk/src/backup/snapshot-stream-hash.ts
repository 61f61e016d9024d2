import { createHash, type Hash } from 'node:crypto';

const trailerLength = 32;

/** What {@link SnapshotStreamHash.result} found. */
export interface SnapshotStreamHashResult {
  /** Bytes seen. */
  size: number;
  /** True when the last 32 bytes are the SHA-256 of everything before them, as `snapshot save` writes. */
  trailerMatches: boolean;
  /** The trailing 32 bytes, hex. */
  expected: string;
  /** SHA-256 of the bytes before the trailer, hex. */
  actual: string;
  /** SHA-256 of every byte seen, trailer included, hex: the digest of the file as stored. */
  fileSha256: string;
}

/**
 * Checks a snapshot's own trailing SHA-256 while it streams by, so that an encrypted backup never needs the
 * plaintext on disk: the last 32 bytes seen so far are held back from the content hash until more arrive.
 * The same single pass also yields the SHA-256 of the whole file (`fileSha256`), so that a plaintext copy
 * need not be hashed a second time by the bundle writer.
 */
export class SnapshotStreamHash {
  readonly #content: Hash = createHash('sha256');
  #tail: Buffer = Buffer.alloc(0);
  #size = 0;
  #result: SnapshotStreamHashResult | undefined;

  /** Bytes seen so far. */
  get size(): number {
    return this.#size;
  }

  /** @throws Error when called after {@link result}: the digests are final then. */
  update(chunk: Uint8Array): void {
    if (this.#result) throw new Error('SnapshotStreamHash.update() after result()');
    this.#size += chunk.length;
    if (chunk.length >= trailerLength) {
      // The common case, without copying the chunk: everything held back so far is content now.
      this.#content.update(this.#tail);
      this.#content.update(chunk.subarray(0, chunk.length - trailerLength));
      this.#tail = Buffer.from(chunk.subarray(chunk.length - trailerLength));
      return;
    }
    const joined = Buffer.concat([this.#tail, chunk]);
    const release = joined.length - trailerLength;
    if (release > 0) {
      this.#content.update(joined.subarray(0, release));
      this.#tail = Buffer.from(joined.subarray(release));
    } else {
      this.#tail = joined;
    }
  }

  /** The digests of everything seen; the stream is over once this is called (same answer every time). */
  result(): SnapshotStreamHashResult {
    if (this.#result) return this.#result;
    const expected = this.#tail.toString('hex');
    // One pass serves both digests: the content's state is copied before the trailer goes in.
    const actual = this.#content.copy().digest('hex');
    const fileSha256 = this.#content.update(this.#tail).digest('hex');
    this.#result = {
      size: this.#size,
      trailerMatches: this.#tail.length === trailerLength && expected === actual,
      expected,
      actual,
      fileSha256,
    };
    return this.#result;
  }
}
