import { PassThrough } from 'node:stream';
import { bundleFilePath } from '../bundle/bundle-file-path.js';
import type { BundleWriter } from '../bundle/create-bundle-writer.js';
import type { SshConnection } from '../transport/ssh/ssh-connection.js';
import { addBundleContent } from './add-bundle-content.js';
import { BackupError } from './backup-error.js';

/** Where kubeadm-style nodes keep their PKI. */
export const nodePkiDirectory = '/etc/kubernetes/pki';
/** The etcd static pod manifest of a kubeadm-style node. */
export const etcdManifestPath = '/etc/kubernetes/manifests/etcd.yaml';

/** Options of {@link backupNodePki}. */
export interface BackupNodePkiOptions {
  /** An open connection to the node (see `connectBackupNodes`). */
  connection: SshConnection;
  writer: BundleWriter;
  /** `pki` for a user control-plane node, `admin-pki` for the admin control-plane node. */
  role: 'pki' | 'admin-pki';
  /** age recipients; when given the archive is encrypted while it streams in. Default none. */
  recipients: string[];
  /** Also save the node's etcd manifest as object `etcd-manifest-NODE.yaml`. Default false. */
  etcdManifest?: boolean;
  signal?: AbortSignal;
}

/** What was read from the node. */
export interface NodePkiBackup {
  node: string;
  /** Plaintext size of the tar archive. */
  pkiBytes: number;
  /** The etcd manifest's text, when asked for. */
  etcdManifest?: string;
}

/**
 * Reads a node's `/etc/kubernetes/pki` as `sudo -n tar -C / -cf - etc/kubernetes/pki` (modes and owners kept
 * in the archive, no mode ever changed on the node) straight into the bundle as `pki/NODE.tar` (or
 * `admin/pki/NODE.tar`), age-encrypted on the way when recipients are given, and optionally the node's etcd
 * manifest (read with sudo) as an object.
 * @throws SshError (`SSH_COMMAND_FAILED` naming the node, sudo refusals, `SSH_CONNECTION_LOST`);
 * BackupError `BACKUP_OBJECT_NOT_FOUND` when the etcd manifest is missing; BundleError.
 */
export async function backupNodePki(options: BackupNodePkiOptions): Promise<NodePkiBackup> {
  const { connection, writer, role } = options;
  const node = connection.node;
  const encrypted = options.recipients.length > 0;
  const plaintext = new PassThrough({ highWaterMark: 1024 * 1024 });
  const reading = connection.readTar({
    directory: nodePkiDirectory,
    sudo: true,
    destination: plaintext,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  reading.catch((error: unknown) => plaintext.destroy(error as Error));
  const storing = addBundleContent({
    writer,
    path: bundleFilePath({ role, node, ...(encrypted ? { encryption: 'age' } : {}) }),
    role,
    node,
    content: plaintext,
    recipients: options.recipients,
  });
  // A bundle that stopped taking bytes must stop the remote tar too, or it would wait on backpressure forever.
  storing.catch((error: unknown) => plaintext.destroy(error as Error));
  const [read, stored] = await Promise.allSettled([reading, storing]);
  // The node's own failure explains more than the broken pipe it causes on the bundle side.
  if (read.status === 'rejected') throw read.reason;
  if (stored.status === 'rejected') throw stored.reason;
  const result: NodePkiBackup = { node, pkiBytes: read.value.bytes };
  if (!options.etcdManifest) return result;

  const manifest = await connection.exec({
    command: `cat -- ${etcdManifestPath}`,
    sudo: true,
    timeoutMs: 60_000,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (manifest.exitCode !== 0) {
    throw new BackupError({
      code: 'BACKUP_OBJECT_NOT_FOUND',
      step: 'pki',
      object: `node ${node} file ${etcdManifestPath}`,
      message: `cannot read ${etcdManifestPath} on node ${node}: ${manifest.stderr.trim().split('\n')[0] || `exit ${manifest.exitCode}`}`,
      remedy: `a restore needs the etcd manifest of every control-plane node; check that ${node} is a Controlplane V2 control-plane node and its etcd static pod is in place`,
    });
  }
  const text = manifest.stdout.toString('utf8');
  await writer.addFile({
    path: bundleFilePath({ role: 'object', name: `etcd-manifest-${node}.yaml` }),
    role: 'object',
    node,
    content: text,
  });
  return { ...result, etcdManifest: text };
}
