import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { KubeError } from './kube-error.js';

/** A PEM or token value: inline (`-data` fields, decoded) or a file to read (absolute path). */
export type KubeconfigSecret = { data: Buffer } | { file: string };

/** What a kubeconfig context says about how to connect, when it needs nothing but TLS and a bearer token. */
export interface LiteKubeconfig {
  /** The API server URL, without a trailing slash. */
  server: string;
  /** The context used (the given one, else `current-context`). */
  context: string;
  ca?: KubeconfigSecret;
  clientCertificate?: KubeconfigSecret;
  clientKey?: KubeconfigSecret;
  /** Bearer token, inline or from `tokenFile` (the file's content is trimmed). */
  token?: { value: string } | { file: string };
  /** `insecure-skip-tls-verify: true`. */
  insecureSkipTlsVerify: boolean;
  /** `tls-server-name`: the name checked against the server's certificate. */
  tlsServerName?: string;
}

/**
 * What {@link parseKubeconfig} found: a context it can connect with alone (`lite`), one that needs
 * client-node (exec or auth-provider users, basic auth, impersonation, a proxy, plain http, or a file shape
 * it does not know), or a file that cannot be used at all (`invalid`, with the reason).
 */
export type ParsedKubeconfig =
  | { kind: 'lite'; config: LiteKubeconfig }
  | { kind: 'needs-client-node'; reason: string }
  | { kind: 'invalid'; problem: 'not-a-kubeconfig' | 'no-server'; reason: string };

type Entry = { name?: unknown; [key: string]: unknown };

const userFieldsNeedingClientNode = [
  'exec',
  'auth-provider',
  'username',
  'password',
  'as',
  'as-groups',
  'as-uid',
  'as-user-extra',
];

/**
 * Pure: reads the kubeconfig text (YAML) for the given context, else its `current-context`. File paths are
 * resolved against `directory` (the kubeconfig's folder), as kubectl does; files are not read here.
 */
export function parseKubeconfig(options: {
  text: string;
  directory: string;
  context?: string;
}): ParsedKubeconfig {
  let document: unknown;
  try {
    document = parse(options.text);
  } catch (error) {
    return {
      kind: 'invalid',
      problem: 'not-a-kubeconfig',
      reason: (error as Error).message.split('\n')[0] ?? 'not YAML',
    };
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return {
      kind: 'invalid',
      problem: 'not-a-kubeconfig',
      reason: 'not a kubeconfig (expected a YAML mapping)',
    };
  }
  const root = document as Record<string, unknown>;
  const lists = ['clusters', 'contexts', 'users'] as const;
  for (const list of lists) {
    const value = root[list];
    if (value === undefined || value === null) continue;
    if (!Array.isArray(value) || value.some((entry) => !isNamedEntry(entry))) {
      return { kind: 'needs-client-node', reason: `${list} has entries of an unusual shape` };
    }
  }
  const find = (list: (typeof lists)[number], name: unknown) =>
    ((root[list] as Entry[] | undefined) ?? []).find((entry) => entry.name === name);

  const contextName =
    options.context ?? (typeof root['current-context'] === 'string' ? root['current-context'] : '');
  const context = find('contexts', contextName)?.context as Record<string, unknown> | undefined;
  const clusterEntry = context ? find('clusters', context.cluster) : undefined;
  const cluster = clusterEntry?.cluster as Record<string, unknown> | undefined;
  if (typeof cluster?.server !== 'string' || cluster.server === '') {
    return {
      kind: 'invalid',
      problem: 'no-server',
      reason: `has no cluster server for context ${contextName || '(none)'}`,
    };
  }
  if (!isPlainObject(cluster) || (context?.user !== undefined && typeof context.user !== 'string')) {
    return { kind: 'needs-client-node', reason: 'the context or cluster has an unusual shape' };
  }
  const server = cluster.server.replace(/\/$/, '');
  if (!server.startsWith('https://')) {
    return { kind: 'needs-client-node', reason: 'the server is not https' };
  }
  if (cluster['proxy-url'] !== undefined) return { kind: 'needs-client-node', reason: 'proxy-url is set' };
  const userEntry = context?.user === undefined ? undefined : find('users', context.user);
  const user = (userEntry?.user ?? {}) as Record<string, unknown>;
  if (!isPlainObject(user)) return { kind: 'needs-client-node', reason: 'the user has an unusual shape' };
  const needing = userFieldsNeedingClientNode.find(
    (field) => user[field] !== undefined && user[field] !== null,
  );
  if (needing) return { kind: 'needs-client-node', reason: `the user sets ${needing}` };

  const path = (value: unknown) =>
    isAbsolute(String(value)) ? String(value) : join(options.directory, String(value));
  // As client-node does: a file, when named, wins over inline data.
  const secret = (fileField: unknown, dataField: unknown): KubeconfigSecret | undefined => {
    if (typeof fileField === 'string' && fileField !== '') return { file: path(fileField) };
    if (typeof dataField === 'string' && dataField !== '') return { data: Buffer.from(dataField, 'base64') };
    return undefined;
  };
  const ca = secret(cluster['certificate-authority'], cluster['certificate-authority-data']);
  const clientCertificate = secret(user['client-certificate'], user['client-certificate-data']);
  const clientKey = secret(user['client-key'], user['client-key-data']);
  const tokenFile = user.tokenFile ?? user['token-file'];
  const token =
    typeof user.token === 'string' && user.token !== ''
      ? { value: user.token }
      : typeof tokenFile === 'string' && tokenFile !== ''
        ? { file: path(tokenFile) }
        : undefined;
  const tlsServerName = cluster['tls-server-name'];
  return {
    kind: 'lite',
    config: {
      server,
      context: contextName,
      ...(ca ? { ca } : {}),
      ...(clientCertificate ? { clientCertificate } : {}),
      ...(clientKey ? { clientKey } : {}),
      ...(token ? { token } : {}),
      insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
      ...(typeof tlsServerName === 'string' && tlsServerName !== '' ? { tlsServerName } : {}),
    },
  };
}

/** Node https request options (TLS material and the Authorization header) for one API server. */
export interface KubeRequestOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized?: boolean;
  servername?: string;
  headers: Record<string, string>;
}

/** What {@link readKubeconfig} returns: the server and request options, or a pointer to client-node. */
export type ReadKubeconfigResult =
  | { kind: 'lite'; server: string; requestOptions: KubeRequestOptions }
  | { kind: 'needs-client-node'; reason: string };

/**
 * Reads a kubeconfig and, when the context needs only TLS material and a bearer token, the files it names
 * (CA, client certificate and key, token file), so that API calls need no @kubernetes/client-node.
 * @throws KubeError `KUBECONFIG_NOT_FOUND` (the file cannot be read) or `KUBECONFIG_INVALID` (not YAML, no
 * server for the context, a named file that cannot be read).
 */
export async function readKubeconfig(options: {
  kubeconfigPath: string;
  /** Default: the file's current context. */
  context?: string;
}): Promise<ReadKubeconfigResult> {
  const { kubeconfigPath } = options;
  let text: string;
  try {
    text = await readFile(kubeconfigPath, 'utf8');
  } catch (error) {
    throw new KubeError({
      code: 'KUBECONFIG_NOT_FOUND',
      message: `kubeconfig ${kubeconfigPath} does not exist or cannot be read`,
      remedy: 'check the kubeconfig paths in etcd-dr.yaml',
      cause: error,
    });
  }
  const parsed = parseKubeconfig({
    text,
    directory: dirname(kubeconfigPath),
    ...(options.context === undefined ? {} : { context: options.context }),
  });
  if (parsed.kind === 'needs-client-node') return parsed;
  if (parsed.kind === 'invalid') {
    throw new KubeError({
      code: 'KUBECONFIG_INVALID',
      message: `kubeconfig ${kubeconfigPath} ${parsed.problem === 'no-server' ? '' : 'cannot be used: '}${parsed.reason}`,
      remedy:
        parsed.problem === 'no-server'
          ? 'set current-context to a context whose cluster has a server URL'
          : 'check the file with `kubectl --kubeconfig FILE config view`',
    });
  }
  return {
    kind: 'lite',
    server: parsed.config.server,
    requestOptions: await loadKubeRequestOptions({ config: parsed.config, kubeconfigPath }),
  };
}

async function loadKubeRequestOptions(options: {
  config: LiteKubeconfig;
  kubeconfigPath: string;
}): Promise<KubeRequestOptions> {
  const { config, kubeconfigPath } = options;
  const read = async (secret: KubeconfigSecret | undefined, field: string): Promise<Buffer | undefined> => {
    if (!secret) return undefined;
    if ('data' in secret) return secret.data;
    try {
      return await readFile(secret.file);
    } catch (error) {
      throw new KubeError({
        code: 'KUBECONFIG_INVALID',
        message: `kubeconfig ${kubeconfigPath} cannot be used: its ${field} ${secret.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        remedy: `check that ${secret.file} exists and is readable, or fix ${field} in the kubeconfig`,
        cause: error,
      });
    }
  };
  const [ca, cert, key, token] = await Promise.all([
    read(config.ca, 'certificate-authority'),
    read(config.clientCertificate, 'client-certificate'),
    read(config.clientKey, 'client-key'),
    config.token && 'file' in config.token
      ? read({ file: config.token.file }, 'tokenFile').then((content) => content?.toString('utf8').trim())
      : Promise.resolve(config.token?.value),
  ]);
  return {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(config.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
    ...(config.tlsServerName ? { servername: config.tlsServerName } : {}),
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNamedEntry(entry: unknown): boolean {
  return isPlainObject(entry) && typeof entry.name === 'string' && entry.name !== '';
}
