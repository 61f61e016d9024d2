import { readFile, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

/** How a kubeconfig user authenticates: a client certificate (PEM text) or a bearer token. */
export type KubeconfigCredentials =
  | { clientCertificatePem: string; clientKeyPem: string }
  | { token: string };

/** Options of {@link renderKubeconfig}. */
export interface RenderKubeconfigOptions {
  /** Cluster (and context) name, e.g. `admin` or the user cluster's name. */
  clusterName: string;
  /** API server URL, e.g. `https://127.0.0.1:34567`. */
  server: string;
  /** PEM of the CA that signed the API server's certificate. */
  certificateAuthorityPem: string;
  /** User entry name. Default `CLUSTER-admin`. */
  userName?: string;
  credentials: KubeconfigCredentials;
  /** Default namespace of the context. Default none. */
  namespace?: string;
}

/** Renders a kubeconfig (one cluster, user and context, data inlined as base64) as YAML. */
export function renderKubeconfig(options: RenderKubeconfigOptions): string {
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const userName = options.userName ?? `${options.clusterName}-admin`;
  const user =
    'token' in options.credentials
      ? { token: options.credentials.token }
      : {
          'client-certificate-data': base64(options.credentials.clientCertificatePem),
          'client-key-data': base64(options.credentials.clientKeyPem),
        };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: options.clusterName,
        cluster: {
          server: options.server,
          'certificate-authority-data': base64(options.certificateAuthorityPem),
        },
      },
    ],
    users: [{ name: userName, user }],
    contexts: [
      {
        name: options.clusterName,
        context: {
          cluster: options.clusterName,
          user: userName,
          ...(options.namespace ? { namespace: options.namespace } : {}),
        },
      },
    ],
    'current-context': options.clusterName,
    preferences: {},
  });
}

/** Options of {@link writeKubeconfig}. */
export interface WriteKubeconfigOptions {
  /** Where to write; the file is created mode 0600 (it holds a key or a token). */
  path: string;
  clusterName: string;
  server: string;
  /** Path of the CA certificate (PEM). */
  certificateAuthorityPath: string;
  userName?: string;
  /** A client certificate and key on disk, or a bearer token. */
  credentials: { certificatePath: string; keyPath: string } | { token: string };
  namespace?: string;
}

/** Writes a kubeconfig for a server URL from files on disk (mode 0600). */
export async function writeKubeconfig(options: WriteKubeconfigOptions): Promise<void> {
  const credentials: KubeconfigCredentials =
    'token' in options.credentials
      ? { token: options.credentials.token }
      : {
          clientCertificatePem: await readFile(options.credentials.certificatePath, 'utf8'),
          clientKeyPem: await readFile(options.credentials.keyPath, 'utf8'),
        };
  const text = renderKubeconfig({
    clusterName: options.clusterName,
    server: options.server,
    certificateAuthorityPem: await readFile(options.certificateAuthorityPath, 'utf8'),
    credentials,
    ...(options.userName ? { userName: options.userName } : {}),
    ...(options.namespace ? { namespace: options.namespace } : {}),
  });
  await writeFile(options.path, text, { mode: 0o600 });
}
