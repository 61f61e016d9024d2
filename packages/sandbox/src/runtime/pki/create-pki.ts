import { SandboxError } from '../sandbox-error.js';
import { type CertificateFiles, issueCertificate } from './issue-certificate.js';
import { type CertificateProfile, renderOpensslConfig } from './openssl-config.js';

/** One leaf certificate of a {@link createPki} request. */
export interface PkiLeaf extends Omit<CertificateProfile, 'usage'> {
  /** File base name inside the directory (`NAME.crt`, `NAME.key`); may contain a subfolder. */
  name: string;
  /** Name of the authority (a key of `authorities`) that signs it. */
  authority: string;
  usage: Exclude<CertificateProfile['usage'], 'ca'>;
}

/** Options of {@link createPki}. */
export interface CreatePkiOptions {
  /** Folder of every file (mode 0700). */
  directory: string;
  /** CAs by name, e.g. `{ 'user-etcd-ca': { commonName: 'etcd-ca' } }`; files `NAME.crt`/`NAME.key`. */
  authorities: Record<string, { commonName: string }>;
  leaves: PkiLeaf[];
  /** Validity in days. Default 3650. */
  days?: number;
}

/** Files of every CA and leaf, by name. */
export interface Pki {
  authorities: Record<string, CertificateFiles>;
  leaves: Record<string, CertificateFiles>;
}

/**
 * Generates a set of CAs and the leaves they sign: every CA in parallel, then every leaf in parallel
 * (one `openssl` process each, EC P-256), so a whole HA lab takes a fraction of a second.
 * @throws SandboxError `SANDBOX_POD_INVALID` for a leaf naming an unknown authority or a bad SAN.
 */
export async function createPki(options: CreatePkiOptions): Promise<Pki> {
  const days = options.days ?? 3650;
  for (const leaf of options.leaves) {
    renderOpensslConfig(leaf);
    if (!(leaf.authority in options.authorities)) {
      throw new SandboxError({
        code: 'SANDBOX_POD_INVALID',
        message: `certificate ${leaf.name} names authority ${leaf.authority}, which is not among ${Object.keys(options.authorities).join(', ')}`,
        remedy: 'add the authority or fix the name',
      });
    }
  }
  const authorityEntries = await Promise.all(
    Object.entries(options.authorities).map(
      async ([name, authority]) =>
        [
          name,
          await issueCertificate({
            directory: options.directory,
            name,
            commonName: authority.commonName,
            usage: 'ca',
            days,
          }),
        ] as const,
    ),
  );
  const authorities = Object.fromEntries(authorityEntries);
  const leafEntries = await Promise.all(
    options.leaves.map(async (leaf) => {
      const authority = authorities[leaf.authority]!;
      const slash = leaf.name.lastIndexOf('/');
      const directory = slash < 0 ? options.directory : `${options.directory}/${leaf.name.slice(0, slash)}`;
      const files = await issueCertificate({
        ...leaf,
        directory,
        name: leaf.name.slice(slash + 1),
        authority,
        days,
      });
      return [leaf.name, files] as const;
    }),
  );
  return { authorities, leaves: Object.fromEntries(leafEntries) };
}
