// Runs etcd-dr's snapshot transfer alone, as `etcd-dr backup` does it (streamPodFile over the SDK's exec
// client, the snapshot's trailer check, the bundle writer taking the same pass's SHA-256), so that the
// benchmark can set it next to `kubectl cp` of the same file without the snapshot step around it.
// Run by bench/backup.mjs under GNU time:
// node bench/lib/transfer-snapshot.mjs KUBECONFIG NAMESPACE POD CONTAINER PATH SIZE OUT_DIR
import {
  connectKube,
  createBundleWriter,
  SnapshotStreamHash,
  streamPodFile,
} from '../../packages/sdk/dist/index.js';

const [kubeconfigPath, namespace, pod, container, path, sizeText, directory] = process.argv.slice(2);
const size = Number(sizeText);
const kube = await connectKube({ kubeconfigPath });
const writer = await createBundleWriter({ directory, name: 'transfer' });
const hasher = new SnapshotStreamHash();
async function* content() {
  for await (const chunk of streamPodFile({ kube, namespace, pod, container, path, size })) {
    hasher.update(chunk);
    yield chunk;
  }
}
try {
  await writer.addFile({
    path: 'snapshot.db',
    role: 'snapshot',
    content: content(),
    digest: () => ({ size: hasher.size, sha256: hasher.result().fileSha256 }),
  });
  if (!hasher.result().trailerMatches) throw new Error(`the snapshot's trailing SHA-256 does not match`);
} finally {
  await writer.abort();
}
