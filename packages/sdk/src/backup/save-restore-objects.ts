import { bundleFilePath } from '../bundle/bundle-file-path.js';
import type { BundleMember } from '../bundle/bundle-manifest.js';
import type { BundleWriter } from '../bundle/create-bundle-writer.js';
import { addBundleContent } from './add-bundle-content.js';
import type { BackupUserTarget } from './backup-user-target.js';

/**
 * Writes `objects/members.json` and, for Kubeception, the replica counts, the PDB and the etcd certificates
 * Secret (age-encrypted when recipients are given).
 */
export async function saveRestoreObjects(options: {
  writer: BundleWriter;
  user: BackupUserTarget;
  members: BundleMember[];
  snapshotFrom: string;
  recipients: string[];
}): Promise<void> {
  const { writer, user, recipients } = options;
  await writer.addFile({
    path: bundleFilePath({ role: 'object', name: 'members.json' }),
    role: 'object',
    content: json({ snapshotFrom: options.snapshotFrom, members: options.members }),
  });
  const saved = user.kubeception;
  if (!saved) return;
  await writer.addFile({
    path: bundleFilePath({ role: 'object', name: 'replicas.json' }),
    role: 'object',
    content: json(saved.replicas),
  });
  if (saved.pdb) {
    await writer.addFile({
      path: bundleFilePath({ role: 'object', name: 'kube-apiserver-pdb.json' }),
      role: 'object',
      content: json(saved.pdb),
    });
  }
  await addBundleContent({
    writer,
    path: bundleFilePath({
      role: 'object',
      name: 'kube-etcd-certs.json',
      ...(recipients.length > 0 ? { encryption: 'age' } : {}),
    }),
    role: 'object',
    content: json(saved.secret),
    recipients,
  });
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
