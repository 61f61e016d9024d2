import type {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PolicyV1Api,
} from '@kubernetes/client-node';
import { type ExecInPodOptions, type ExecInPodResult, execInPod } from './exec-in-pod.js';
import { getKubeJson } from './get-kube-json.js';
import { KubeError } from './kube-error.js';
import { readKubeconfig } from './read-kubeconfig.js';
import { toKubeError } from './to-kube-error.js';

/** Options of {@link connectKube}. */
export interface ConnectKubeOptions {
  /** The kubeconfig file. */
  kubeconfigPath: string;
  /** A context of that file. Default: its current context. */
  context?: string;
  /** Fail an API call that has not answered after this long. Default 30 000 ms. */
  requestTimeoutMs?: number;
}

/**
 * One cluster's API, as etcd-dr uses it: the typed client-node APIs wrapped so that every failure becomes a
 * KubeError naming the operation and the server, plus a streaming exec.
 */
export interface KubeConnection {
  /** The API server URL from the kubeconfig. */
  readonly server: string;
  readonly kubeconfigPath: string;
  /** The typed APIs: read them only inside {@link KubeConnection.call}, which loads client-node first. */
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly policy: PolicyV1Api;
  readonly custom: CustomObjectsApi;
  /**
   * Runs one API call, mapping its failure: `await kube.call('get pod kube-etcd-0 in user-1',
   * () => kube.core.readNamespacedPod({ name, namespace }))`.
   */
  call<T>(what: string, operation: () => Promise<T>): Promise<T>;
  /**
   * GETs one object or list by its REST path, without client-node, with the same timeout and error mapping
   * as {@link KubeConnection.call}: `await kube.getJson<V1PodList>('list pods in user-1',
   * '/api/v1/namespaces/user-1/pods', { labelSelector: 'component=etcd' })`. The JSON is returned as the server
   * sent it: timestamps are strings, not Dates.
   */
  getJson<T>(what: string, path: string, query?: Record<string, string>): Promise<T>;
  /** Runs a command in a container; see {@link execInPod}. */
  exec(options: ExecInPodOptions): Promise<ExecInPodResult>;
}

/**
 * Reads a kubeconfig and returns a connection. Nothing is sent to the server until the first call, and
 * @kubernetes/client-node is not loaded until the first `call` unless the kubeconfig needs it (exec or
 * auth-provider users, basic auth, impersonation, proxy-url, plain http).
 * @throws KubeError `KUBECONFIG_NOT_FOUND` or `KUBECONFIG_INVALID`.
 */
export async function connectKube(options: ConnectKubeOptions): Promise<KubeConnection> {
  const { kubeconfigPath } = options;
  const read = await readKubeconfig({
    kubeconfigPath,
    ...(options.context === undefined ? {} : { context: options.context }),
  });
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  // A kubeconfig that needs client-node (exec plugins, auth providers, proxies) is loaded by it right away;
  // otherwise client-node (~0.4 s and ~80 MB to import) is loaded on the first typed call only, so a backup,
  // which needs only GETs and exec, never pays for it.
  let clientNode: ClientNodeApis | undefined =
    read.kind === 'needs-client-node'
      ? await loadClientNode({ kubeconfigPath, context: options.context })
      : undefined;
  const server = read.kind === 'lite' ? read.server : (clientNode as ClientNodeApis).server;
  const requestOptions = async (): Promise<Record<string, unknown>> => {
    if (read.kind === 'lite') return { ...read.requestOptions, headers: { ...read.requestOptions.headers } };
    const filled: Record<string, unknown> = {};
    await (clientNode as ClientNodeApis).kubeConfig.applyToHTTPSOptions(filled);
    return filled;
  };

  const withTimeout = async <T>(what: string, operation: () => Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new KubeError({
              code: 'KUBE_TIMEOUT',
              server,
              message: `${what} on ${server}: no answer after ${requestTimeoutMs} ms`,
              remedy: 'the API server (or its etcd) is down or overloaded; check the control plane',
              isRetryable: true,
            }),
          ),
        requestTimeoutMs,
      );
    });
    try {
      return await Promise.race([operation(), timeout]);
    } catch (error) {
      throw toKubeError(error, { server, what, kubeconfigPath });
    } finally {
      clearTimeout(timer);
    }
  };
  const apis = (name: string): ClientNodeApis => {
    if (!clientNode) {
      throw new KubeError({
        code: 'KUBE_API_ERROR',
        server,
        message: `internal error: kube.${name} was read before client-node was loaded`,
        remedy: `this is a bug in etcd-dr: use kube.${name} only inside kube.call(...), which loads it; please report it`,
      });
    }
    return clientNode;
  };

  return {
    server,
    kubeconfigPath,
    get core() {
      return apis('core').core;
    },
    get apps() {
      return apis('apps').apps;
    },
    get policy() {
      return apis('policy').policy;
    },
    get custom() {
      return apis('custom').custom;
    },
    call: async (what, operation) => {
      clientNode ??= await loadClientNode({ kubeconfigPath, context: options.context });
      return withTimeout(what, operation);
    },
    getJson: async <T>(what: string, path: string, query?: Record<string, string>) => {
      const controller = new AbortController();
      try {
        return await withTimeout(what, async () =>
          getKubeJson<T>({
            server,
            path,
            ...(query ? { query } : {}),
            requestOptions: await requestOptions(),
            signal: controller.signal,
          }),
        );
      } finally {
        controller.abort();
      }
    },
    exec: (execOptions) => execInPod({ server, kubeconfigPath, requestOptions }, execOptions),
  };
}

interface ClientNodeApis {
  kubeConfig: KubeConfig;
  server: string;
  core: CoreV1Api;
  apps: AppsV1Api;
  policy: PolicyV1Api;
  custom: CustomObjectsApi;
}

async function loadClientNode(options: {
  kubeconfigPath: string;
  context: string | undefined;
}): Promise<ClientNodeApis> {
  const { kubeconfigPath } = options;
  const { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, PolicyV1Api } = await import(
    '@kubernetes/client-node'
  );
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromFile(kubeconfigPath);
    if (options.context) kubeConfig.setCurrentContext(options.context);
  } catch (error) {
    throw new KubeError({
      code: 'KUBECONFIG_INVALID',
      message: `kubeconfig ${kubeconfigPath} cannot be used: ${(error as Error).message.split('\n')[0]}`,
      remedy: 'check the file with `kubectl --kubeconfig FILE config view`',
      cause: error,
    });
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster?.server) {
    throw new KubeError({
      code: 'KUBECONFIG_INVALID',
      message: `kubeconfig ${kubeconfigPath} has no cluster server for context ${kubeConfig.getCurrentContext() || '(none)'}`,
      remedy: 'set current-context to a context whose cluster has a server URL',
    });
  }
  return {
    kubeConfig,
    server: cluster.server,
    core: kubeConfig.makeApiClient(CoreV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    policy: kubeConfig.makeApiClient(PolicyV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
  };
}
