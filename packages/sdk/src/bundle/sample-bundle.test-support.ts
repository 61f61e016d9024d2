import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { bundleFilePath } from './bundle-file-path.js';
import { type BundleFormat, type CommitBundleOptions, createBundleWriter } from './create-bundle-writer.js';

/** Manifest fields of a 3-member Controlplane V2 cluster, as a backup would pass them to commit(). */
export const sampleManifestFields: CommitBundleOptions = {
  tool: { name: 'etcd-dr', version: '0.1.0' },
  createdAt: '2026-11-26T14:00:00.000Z',
  cluster: {
    name: 'user-1',
    topology: 'controlplane-v2',
    ha: true,
    members: ['cp-1', 'cp-2', 'cp-3'].map((node, index) => ({
      name: node,
      peerUrl: `https://10.0.0.${5 + index}:2380`,
      clientUrl: `https://10.0.0.${5 + index}:2379`,
      node,
    })),
  },
  etcd: { version: '3.4.23' },
  snapshot: { revision: 1234, totalKeys: 567, hash: 'hashed' },
  hostKeys: { 'cp-1': `SHA256:${'A'.repeat(43)}` },
};

/** The stored bytes of the sample bundle, by path. */
export interface SampleBundle {
  path: string;
  contents: Map<string, Buffer>;
}

/** Writes a small but complete bundle: streamed snapshot, per-node PKI, an age file and an object. */
export async function writeSampleBundle(options: {
  directory: string;
  name?: string;
  format?: BundleFormat;
}): Promise<SampleBundle> {
  const writer = await createBundleWriter({
    directory: options.directory,
    name: options.name ?? 'user-1-20261126T140000Z',
    format: options.format ?? 'directory',
  });
  const contents = new Map<string, Buffer>();
  const snapshot = randomBytes(300_000);
  contents.set('snapshot.db', snapshot);
  await writer.addFile({
    path: bundleFilePath({ role: 'snapshot' }),
    role: 'snapshot',
    content: Readable.from(
      Array.from({ length: 10 }, (_, index) => snapshot.subarray(index * 30_000, (index + 1) * 30_000)),
    ),
  });
  for (const node of ['cp-1', 'cp-2', 'cp-3']) {
    const path = bundleFilePath({ role: 'pki', node });
    const bytes = randomBytes(10_240);
    contents.set(path, bytes);
    await writer.addFile({ path, role: 'pki', node, content: bytes });
  }
  const admin = Buffer.concat([Buffer.from('age-encryption.org/v1\n'), randomBytes(4000)]);
  const adminPath = bundleFilePath({ role: 'admin-snapshot', encryption: 'age' });
  contents.set(adminPath, admin);
  await writer.addFile({ path: adminPath, role: 'admin-snapshot', encryption: 'age', content: admin });
  const pdbPath = bundleFilePath({ role: 'object', name: 'kube-apiserver-pdb.yaml' });
  const pdb = 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: kube-apiserver-pdb}\n';
  contents.set(pdbPath, Buffer.from(pdb));
  await writer.addFile({ path: pdbPath, role: 'object', content: pdb });
  const result = await writer.commit(sampleManifestFields);
  return { path: result.path, contents };
}
