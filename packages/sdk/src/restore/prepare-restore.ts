import { Writable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { BundleManifest } from '../bundle/bundle-manifest.js';
import type { Bundle } from '../bundle/read-bundle.js';
import { verifyBundle } from '../bundle/verify-bundle.js';
import { ageDecrypt } from '../bundle-crypto/age-decrypt.js';
import { CryptoError } from '../bundle-crypto/crypto-error.js';
import type { ClusterConfig } from '../cluster/cluster-config.js';
import { gatherRestoreTarget } from './gather-restore-target.js';
import { planRestore } from './plan-restore.js';
import { RestoreError } from './restore-error.js';
import type { RestorePlan } from './restore-plan.js';
import type { RestoreTarget } from './restore-target.js';

/** Options of {@link prepareRestore}. */
export interface PrepareRestoreOptions {
  config: ClusterConfig;
  /** A bundle directory or `.tar`. */
  bundlePath: string;
  /** age identities, needed when the bundle is encrypted. Default none. */
  identities?: string[];
  /** See `PlanRestoreOptions.forceOtherCluster`. Default false. */
  forceOtherCluster?: boolean;
  /** Default now. */
  createdAt?: Date;
  /** See `PlanRestoreOptions.waitTimeoutMs`. */
  waitTimeoutMs?: number;
}

/** One pre-flight check that passed, for the plan's printout. */
export interface PreflightCheck {
  name: string;
  detail: string;
}

/** A restore ready to apply: the verified bundle, the live facts, the plan and the checks that passed. */
export interface PreparedRestore {
  bundle: Bundle;
  target: RestoreTarget;
  plan: RestorePlan;
  checks: PreflightCheck[];
}

/**
 * The pre-flight of a restore, before anything changes: every bundle file's size and SHA-256 (a single
 * flipped byte is refused), every encrypted file decrypts with the identities given (the snapshot in full,
 * to a sink: its every chunk is authenticated), the admin API answers and the live facts are gathered, the
 * target is the bundle's cluster, and the etcd-util image is known; then the plan.
 * @throws BundleError (`BUNDLE_FILE_MISMATCH`, ...), RestoreError `RESTORE_DECRYPT_FAILED`,
 * `RESTORE_TARGET_MISMATCH`, `RESTORE_IMAGE_UNKNOWN`, `RESTORE_TOPOLOGY_UNSUPPORTED`,
 * `RESTORE_OBJECT_NOT_FOUND`, KubeError when the admin API does not answer.
 */
export async function prepareRestore(options: PrepareRestoreOptions): Promise<PreparedRestore> {
  const checks: PreflightCheck[] = [];
  const verification = await verifyBundle({ path: options.bundlePath });
  if (!verification.ok) throw verification.error;
  const { bundle } = verification;
  const { manifest } = bundle;
  checks.push({
    name: 'bundle integrity',
    detail: `${manifest.files.length} files match their size and SHA-256`,
  });
  const decrypted = await checkDecryption({ bundle, identities: options.identities ?? [] });
  if (decrypted > 0) checks.push({ name: 'decryption', detail: `${decrypted} encrypted files decrypt` });

  const target = await gatherRestoreTarget({
    config: options.config,
    saved: await savedObjects(bundle),
    recordedHostKeys: manifest.hostKeys,
  });
  checks.push({ name: 'admin cluster API', detail: `answers (${options.config.adminCluster.kubeconfig})` });
  const plan = planRestore({
    manifest,
    bundlePath: options.bundlePath,
    target,
    ...(options.forceOtherCluster ? { forceOtherCluster: true } : {}),
    ...(options.createdAt ? { createdAt: options.createdAt } : {}),
    ...(options.waitTimeoutMs === undefined ? {} : { waitTimeoutMs: options.waitTimeoutMs }),
  });
  checks.push({
    name: 'target',
    detail: `${target.clusterName} (${target.topology}, ${target.members.length} member${target.members.length > 1 ? 's' : ''}) ${plan.warnings.some((warning) => warning.startsWith('--force-other-cluster')) ? 'differs from the bundle (forced)' : 'is the cluster the bundle came from'}`,
  });
  if (target.etcdUtilImage) {
    checks.push({
      name: 'etcd-util image',
      detail: `${target.etcdUtilImage} (from ${target.etcdUtilImageSource})`,
    });
  }
  checks.push({
    name: 'restore tool',
    detail: `etcdutl when the image has it (etcd 3.5+), else etcdctl (3.4); snapshot from etcd ${manifest.etcd.version}${target.etcdVersion ? `, members run ${target.etcdVersion}` : ''}`,
  });
  return { bundle, target, plan, checks };
}

async function checkDecryption(options: { bundle: Bundle; identities: string[] }): Promise<number> {
  const encrypted = options.bundle.manifest.files.filter((file) => file.encryption === 'age');
  if (encrypted.length === 0) return 0;
  if (options.identities.length === 0) {
    throw new RestoreError({
      code: 'RESTORE_DECRYPT_FAILED',
      object: options.bundle.path,
      message: `bundle ${options.bundle.path} is encrypted (${encrypted.map((file) => file.path).join(', ')}) and no identity was given`,
      remedy: 'pass --identity with the age-keygen file whose public key the bundle was encrypted to',
    });
  }
  for (const file of encrypted) {
    const sink = new Writable({
      write(_chunk, _encoding, callback) {
        callback();
      },
    });
    try {
      await ageDecrypt({
        source: await options.bundle.openFile({ path: file.path }),
        destination: sink,
        identities: options.identities,
        sourceName: `${options.bundle.path}/${file.path}`,
      });
    } catch (error) {
      if (!CryptoError.isInstance(error)) throw error;
      throw new RestoreError({
        code: 'RESTORE_DECRYPT_FAILED',
        object: `${options.bundle.path}/${file.path}`,
        message: `cannot decrypt ${file.path} of bundle ${options.bundle.path}: ${error.message}`,
        remedy: error.remedy ?? 'pass the right --identity',
        cause: error,
      });
    }
  }
  return encrypted.length;
}

async function savedObjects(bundle: Bundle): Promise<{
  replicas?: Record<string, number | null>;
  apiserverPdb?: Record<string, unknown>;
}> {
  const read = async (path: string): Promise<Record<string, unknown> | undefined> => {
    if (!bundle.manifest.files.some((file: BundleManifest['files'][number]) => file.path === path)) {
      return undefined;
    }
    try {
      return JSON.parse(await text(await bundle.openFile({ path }))) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  const replicas = await read('objects/replicas.json');
  const pdb = await read('objects/kube-apiserver-pdb.json');
  return {
    ...(replicas ? { replicas: replicas as Record<string, number | null> } : {}),
    ...(pdb ? { apiserverPdb: pdb } : {}),
  };
}
