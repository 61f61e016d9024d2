import { join } from 'node:path';
import type { Pki } from '../runtime/pki/create-pki.js';
import { writeKubeconfig } from '../runtime/pki/kubeconfig.js';
import { pkiFile } from './pki-file.js';

/** Options of {@link writeLabKubeconfigs}. */
export interface WriteLabKubeconfigsOptions {
  dir: string;
  pki: Pki;
  /** The admin API server's URL and the PKI folder of its CA and `admin` client certificate. */
  admin: { server: string; pkiCluster: string };
  /** The user cluster's name, its API endpoint and PKI folder. */
  user: { name: string; server: string; pkiCluster: string };
}

/**
 * Writes `DIR/admin.kubeconfig` and `DIR/user.kubeconfig` (mode 0600), each with its cluster's CA and the
 * `kubernetes-admin` client certificate, and returns their paths.
 */
export async function writeLabKubeconfigs(
  options: WriteLabKubeconfigsOptions,
): Promise<{ adminKubeconfig: string; userKubeconfig: string }> {
  const paths = {
    adminKubeconfig: join(options.dir, 'admin.kubeconfig'),
    userKubeconfig: join(options.dir, 'user.kubeconfig'),
  };
  const clusters = [
    { path: paths.adminKubeconfig, clusterName: 'admin', ...options.admin },
    { path: paths.userKubeconfig, clusterName: options.user.name, ...options.user },
  ];
  for (const cluster of clusters) {
    await writeKubeconfig({
      path: cluster.path,
      clusterName: cluster.clusterName,
      server: cluster.server,
      certificateAuthorityPath: pkiFile(options.pki, `${cluster.pkiCluster}/ca`, 'crt'),
      credentials: {
        certificatePath: pkiFile(options.pki, `${cluster.pkiCluster}/admin`, 'crt'),
        keyPath: pkiFile(options.pki, `${cluster.pkiCluster}/admin`, 'key'),
      },
    });
  }
  return paths;
}
