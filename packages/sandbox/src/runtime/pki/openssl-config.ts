import { isIP } from 'node:net';
import { SandboxError } from '../sandbox-error.js';

/** What a certificate is for. */
export type CertificateUsage = 'ca' | 'server' | 'client' | 'peer';

/** The subject and extensions of one certificate. */
export interface CertificateProfile {
  commonName: string;
  /** `O=` entries, e.g. `system:masters` for a Kubernetes admin. Default none. */
  organizations?: string[];
  /** DNS subject alternative names. Default none. */
  dnsNames?: string[];
  /** IP subject alternative names (v4 or v6). Default none. */
  ipAddresses?: string[];
  /** `ca`, or the TLS roles: `server` (serverAuth), `client` (clientAuth), `peer` (both). */
  usage: CertificateUsage;
}

/**
 * Renders the `openssl req` configuration for a certificate: a fixed subject (no prompt) and one
 * `[ext]` section to pass with `-extensions ext`.
 * @throws SandboxError `SANDBOX_POD_INVALID` when a name or address cannot be written safely.
 */
export function renderOpensslConfig(profile: CertificateProfile): string {
  const lines = ['[req]', 'distinguished_name = dn', 'prompt = no', 'utf8 = yes', '[dn]'];
  (profile.organizations ?? []).forEach((organization, index) => {
    lines.push(`${index}.O = ${escapeValue(organization, 'organization')}`);
  });
  lines.push(`CN = ${escapeValue(profile.commonName, 'common name')}`, '[ext]');
  if (profile.usage === 'ca') {
    lines.push(
      'basicConstraints = critical, CA:true',
      'keyUsage = critical, keyCertSign, cRLSign, digitalSignature',
      'subjectKeyIdentifier = hash',
    );
    return `${lines.join('\n')}\n`;
  }
  const extendedUsage = { server: 'serverAuth', client: 'clientAuth', peer: 'serverAuth, clientAuth' }[
    profile.usage
  ];
  lines.push(
    'basicConstraints = critical, CA:false',
    'keyUsage = critical, digitalSignature, keyEncipherment',
    `extendedKeyUsage = ${extendedUsage}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
  );
  const alternativeNames = [
    ...(profile.dnsNames ?? []).map((name) => `DNS:${checkDnsName(name)}`),
    ...(profile.ipAddresses ?? []).map((address) => `IP:${checkIpAddress(address)}`),
  ];
  if (alternativeNames.length > 0) lines.push(`subjectAltName = ${alternativeNames.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

function escapeValue(value: string, what: string): string {
  if (value.length === 0 || /[\n\r\0]/.test(value)) throw invalid(`${what} ${JSON.stringify(value)}`);
  return value.replace(/[\\$]/g, (character) => `\\${character}`);
}

function checkDnsName(name: string): string {
  if (!/^(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(name))
    throw invalid(`DNS name ${JSON.stringify(name)}`);
  return name;
}

function checkIpAddress(address: string): string {
  if (isIP(address) === 0) throw invalid(`IP address ${JSON.stringify(address)}`);
  return address;
}

function invalid(what: string): SandboxError {
  return new SandboxError({
    code: 'SANDBOX_POD_INVALID',
    message: `cannot put ${what} into a certificate`,
    remedy: 'use DNS names of letters, digits, dots and dashes, and plain IP addresses',
  });
}
