import type { Pki } from '../runtime/pki/create-pki.js';

/** Host path of certificate or key `name` (a leaf or an authority) of the lab PKI. */
export function pkiFile(pki: Pki, name: string, kind: 'crt' | 'key'): string {
  const files = pki.leaves[name] ?? pki.authorities[name];
  if (!files) throw new Error(`no certificate ${name} in the lab PKI`);
  return kind === 'crt' ? files.certificatePath : files.keyPath;
}
