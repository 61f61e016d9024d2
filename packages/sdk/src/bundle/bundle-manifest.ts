import { z } from 'zod';

/**
 * The bundle format version this SDK writes and reads. Any change to the manifest's shape (even an added
 * optional field) increases it, because the schema rejects unknown fields: an older etcd-dr then says
 * "upgrade etcd-dr" instead of silently dropping data it does not understand.
 */
export const bundleFormatVersion = 1;

/** What a stored file is for; a restore looks files up by role (and node). */
export const bundleFileRoleSchema = z.enum(['snapshot', 'admin-snapshot', 'pki', 'admin-pki', 'object']);

/** How a file is stored: as written, or encrypted with age (then its path ends in `.age`). */
export const bundleEncryptionSchema = z.enum(['none', 'age']);

const kubernetesName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes name (lower case, digits, - and .)');

const hexSha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (a SHA-256)');

const sshFingerprint = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must look like SHA256:<base64> as printed by ssh-keygen -l');

/** A path inside the bundle: relative, `/`-separated, no `.`, `..` or empty segments, not the manifest. */
export const bundleFilePathSchema = z
  .string()
  .min(1)
  .refine(
    (path) =>
      !path.startsWith('/') &&
      !path.includes('\\') &&
      !path.includes('\0') &&
      path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..') &&
      path !== 'manifest.json',
    'must be a relative path inside the bundle (no leading /, no . or .. segments, not manifest.json)',
  );

/** One stored file of the bundle and the facts that prove it intact. */
export const bundleFileSchema = z
  .strictObject({
    /** Path relative to the bundle root, e.g. `snapshot.db`, `pki/cp-1.tar.age`, `objects/pdb.yaml`. */
    path: bundleFilePathSchema,
    /** What the file is for. */
    role: bundleFileRoleSchema,
    /** The node the file came from (PKI archives and per-node objects such as the etcd manifest). */
    node: z.string().min(1).optional(),
    /** Stored size in bytes (after encryption when encrypted). */
    size: z.number().int().nonnegative(),
    /** SHA-256 of the stored bytes, hex: checked before anything is decrypted or restored. */
    sha256: hexSha256,
    /** `none`, or `age` when the stored bytes are an age file (then `path` ends in `.age`). */
    encryption: bundleEncryptionSchema,
  })
  .refine((file) => (file.encryption === 'age') === file.path.endsWith('.age'), {
    message: 'a path ends in .age exactly when encryption is age',
    path: ['encryption'],
  })
  .refine((file) => !['pki', 'admin-pki'].includes(file.role) || file.node !== undefined, {
    message: 'pki and admin-pki files need the node they came from',
    path: ['node'],
  });

/** One etcd member of the backed-up cluster. */
export const bundleMemberSchema = z.strictObject({
  /** The member's `--name`, e.g. `kube-etcd-0` or the node name on Controlplane V2. */
  name: z.string().min(1),
  /** Its `--initial-advertise-peer-urls` value, e.g. `https://10.0.0.5:2380`. */
  peerUrl: z.url(),
  /** Its client URL, when known. */
  clientUrl: z.url().optional(),
  /** The Kubernetes node it runs on, when known. */
  node: z.string().min(1).optional(),
});

/** A restore that used this bundle, appended to the manifest by the restore feature. */
export const bundleRestoreReportSchema = z.strictObject({
  /** When the restore finished, ISO 8601 with offset. */
  restoredAt: z.iso.datetime({ offset: true }),
  /** The etcd-dr version that ran it. */
  toolVersion: z.string().min(1),
  /** The cluster it was restored into. */
  targetCluster: kubernetesName,
  /** How it ended. */
  outcome: z.enum(['succeeded', 'failed', 'rolled-back']),
  /** One line for humans, e.g. the failed step. */
  detail: z.string().optional(),
});

/**
 * `manifest.json` at the root of every bundle: what was backed up, from where, with what, and the size and
 * SHA-256 of every other file. Written last, so a bundle without it is incomplete.
 */
export const bundleManifestSchema = z
  .strictObject({
    /** Always 1 for this layout; a reader refuses a higher one with BUNDLE_VERSION_UNSUPPORTED. */
    formatVersion: z.literal(bundleFormatVersion),
    /** The program that wrote the bundle. */
    tool: z.strictObject({
      /** `etcd-dr` for the CLI; another name when the SDK is embedded elsewhere. */
      name: z.string().min(1),
      /** Its version, e.g. `0.1.0`. */
      version: z.string().min(1),
    }),
    /** When the backup was taken, ISO 8601 with offset, e.g. `2026-11-26T14:00:00.000Z`. */
    createdAt: z.iso.datetime({ offset: true }),
    /** Which cluster this is a backup of; a restore refuses another target unless overridden. */
    cluster: z.strictObject({
      /** The user cluster's name (its namespace in the admin cluster on Kubeception). */
      name: kubernetesName,
      /** Where its etcd runs: as pods in the admin cluster, or on its own control-plane nodes. */
      topology: z.enum(['kubeception', 'controlplane-v2']),
      /** True for 3 control-plane replicas, false for 1. */
      ha: z.boolean(),
      /** The etcd members at backup time. */
      members: z.array(bundleMemberSchema).min(1),
    }),
    /** The etcd that produced the snapshot. */
    etcd: z.strictObject({
      /** Server version, e.g. `3.4.23`. */
      version: z.string().min(1),
    }),
    /** Facts about `snapshot.db` read when it was taken. */
    snapshot: z.strictObject({
      /** The store revision in the snapshot. */
      revision: z.number().int().nonnegative(),
      /** Number of keys in the snapshot. */
      totalKeys: z.number().int().nonnegative(),
      /** `hashed` when etcd appended its SHA-256 (a `snapshot save`), `unhashed` for a copied db file. */
      hash: z.enum(['hashed', 'unhashed']),
    }),
    /** Every stored file except the manifest itself. */
    files: z.array(bundleFileSchema),
    /** Host keys seen over SSH (trust on first use): node name -> `SHA256:...` fingerprint. Default none. */
    hostKeys: z.record(z.string().min(1), sshFingerprint).default({}),
    /** Restores that used this bundle, oldest first. */
    restores: z.array(bundleRestoreReportSchema).optional(),
  })
  .superRefine((manifest, context) => {
    const seen = new Set<string>();
    manifest.files.forEach((file, index) => {
      if (seen.has(file.path)) {
        context.addIssue({
          code: 'custom',
          message: `duplicate path ${file.path}`,
          path: ['files', index, 'path'],
        });
      }
      seen.add(file.path);
    });
    const count = (role: string) => manifest.files.filter((file) => file.role === role).length;
    if (count('snapshot') !== 1) {
      context.addIssue({
        code: 'custom',
        message: `needs exactly one file with role snapshot, has ${count('snapshot')}`,
        path: ['files'],
      });
    }
    if (count('admin-snapshot') > 1) {
      context.addIssue({ code: 'custom', message: 'has more than one admin-snapshot', path: ['files'] });
    }
  });

export type BundleFileRole = z.infer<typeof bundleFileRoleSchema>;
export type BundleEncryption = z.infer<typeof bundleEncryptionSchema>;
/** One file record of the manifest. */
export type BundleFile = z.infer<typeof bundleFileSchema>;
export type BundleMember = z.infer<typeof bundleMemberSchema>;
export type BundleRestoreReport = z.infer<typeof bundleRestoreReportSchema>;
/** The parsed manifest (defaults applied). */
export type BundleManifest = z.infer<typeof bundleManifestSchema>;
/** The manifest as written, before defaults. */
export type BundleManifestInput = z.input<typeof bundleManifestSchema>;
