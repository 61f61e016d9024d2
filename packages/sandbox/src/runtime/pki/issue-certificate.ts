import { chmod, mkdir, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../run-command.js';
import { type CertificateProfile, renderOpensslConfig } from './openssl-config.js';

/** A certificate and its private key on disk (PEM; the key is mode 0600). */
export interface CertificateFiles {
  certificatePath: string;
  keyPath: string;
}

/** Options of {@link issueCertificate}. */
export interface IssueCertificateOptions extends CertificateProfile {
  /** Folder the files go to; created (mode 0700) if missing. */
  directory: string;
  /** File base name: writes `NAME.crt` and `NAME.key`. */
  name: string;
  /** The signing CA; omit it only with `usage: 'ca'` (self-signed). */
  authority?: CertificateFiles;
  /** Validity in days. Default 3650. */
  days?: number;
}

/**
 * Generates an EC P-256 key and a certificate with the `openssl` CLI: self-signed for a CA, else signed
 * by `authority`. The key file is created mode 0600 before openssl writes it, so it is never readable by
 * others, not even for a moment. Independent calls can run in parallel.
 * @throws SandboxError `SANDBOX_COMMAND_FAILED` with openssl's message.
 */
export async function issueCertificate(options: IssueCertificateOptions): Promise<CertificateFiles> {
  await mkdir(options.directory, { recursive: true, mode: 0o700 });
  const files = {
    certificatePath: join(options.directory, `${options.name}.crt`),
    keyPath: join(options.directory, `${options.name}.key`),
  };
  await (await open(files.keyPath, 'w', 0o600)).close();
  await chmod(files.keyPath, 0o600);
  const signing = options.authority
    ? ['-CA', options.authority.certificatePath, '-CAkey', options.authority.keyPath]
    : [];
  const configPath = join(options.directory, `.${options.name}.cnf`);
  await writeFile(configPath, renderOpensslConfig(options));
  try {
    await runCommand({
      command: 'openssl',
      args: [
        'req',
        '-x509',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        files.keyPath,
        '-out',
        files.certificatePath,
        ...signing,
        '-days',
        String(options.days ?? 3650),
        '-config',
        configPath,
        '-extensions',
        'ext',
      ],
    });
  } finally {
    await rm(configPath, { force: true });
  }
  return files;
}
