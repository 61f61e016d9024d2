import { PassThrough, Readable } from 'node:stream';
import type { BundleFileRole } from '../bundle/bundle-manifest.js';
import type { BundleContent, BundleWriter } from '../bundle/create-bundle-writer.js';
import { ageEncrypt } from '../bundle-crypto/age-encrypt.js';

/** Options of {@link addBundleContent}. */
export interface AddBundleContentOptions {
  writer: BundleWriter;
  /** Path in the bundle; ends in `.age` exactly when `recipients` is not empty. */
  path: string;
  role: BundleFileRole;
  /** The node the content came from (PKI archives, per-node objects). */
  node?: string;
  /** Plaintext. */
  content: BundleContent;
  /** age recipients; when given the content is encrypted as it streams in, never stored in clear. */
  recipients: string[];
  /** The plaintext's size and SHA-256 when the caller already computed them; used only when stored unencrypted. */
  digest?: () => { size: number; sha256: string };
}

/** Adds one file to a bundle, age-encrypting it on the way when recipients are given. */
export async function addBundleContent(options: AddBundleContentOptions): Promise<void> {
  const { writer, path, role, recipients } = options;
  const node = options.node === undefined ? {} : { node: options.node };
  if (recipients.length === 0) {
    await writer.addFile({
      path,
      role,
      ...node,
      content: options.content,
      ...(options.digest ? { digest: options.digest } : {}),
    });
    return;
  }
  const source = Readable.from(
    typeof options.content === 'string' || options.content instanceof Uint8Array
      ? [Buffer.from(options.content)]
      : options.content,
  );
  const ciphertext = new PassThrough();
  const encrypting = ageEncrypt({ source, destination: ciphertext, recipients });
  encrypting.catch((error: unknown) => ciphertext.destroy(error as Error));
  try {
    await writer.addFile({ path, role, ...node, encryption: 'age', content: ciphertext });
    await encrypting;
  } finally {
    source.destroy();
  }
}
