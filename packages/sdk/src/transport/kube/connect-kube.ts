import { access } from 'node:fs/promises';
import type { AppsV1Api, CoreV1Api, CustomObjectsApi, PolicyV1Api } from '@kubernetes/client-node';
import { type ExecInPodOptions, type ExecInPodResult, execInPod } from './exec-in-pod.js';
import { KubeError } from './kube-error.js';
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
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly policy: PolicyV1Api;
  readonly custom: CustomObjectsApi;
  /**
   * Runs one API call, mapping its failure: `await kube.call('get pod kube-etcd-0 in user-1',
   * () => kube.core.readNamespacedPod({ name, namespace }))`.
   */
  call<T>(what: string, operation: () => Promise<T>): Promise<T>;
  /** Runs a command in a container; see {@link execInPod}. */
  exec(options: ExecInPodOptions): Promise<ExecInPodResult>;
}

/**
 * Reads a kubeconfig and returns a connection. Nothing is sent to the server until the first call.
 * @throws KubeError `KUBECONFIG_NOT_FOUND` or `KUBECONFIG_INVALID`.
 */
export async function connectKube(options: ConnectKubeOptions): Promise<KubeConnection> {
  const { kubeconfigPath } = options;
  try {
    await access(kubeconfigPath);
  } catch (error) {
    throw new KubeError({
      code: 'KUBECONFIG_NOT_FOUND',
      message: `kubeconfig ${kubeconfigPath} does not exist or cannot be read`,
      remedy: 'check the kubeconfig paths in etcd-dr.yaml',
      cause: error,
    });
  }
  // Loaded on first use: importing client-node costs ~0.5 s and ~80 MB, which every CLI command (inspect,
  // sandbox) would otherwise pay at start-up.
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
  const server = cluster.server;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;

  const call = async <T>(what: string, operation: () => Promise<T>): Promise<T> => {
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

  return {
    server,
    kubeconfigPath,
    core: kubeConfig.makeApiClient(CoreV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    policy: kubeConfig.makeApiClient(PolicyV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
    call,
    exec: (execOptions) => execInPod(kubeConfig, kubeconfigPath, execOptions),
  };
}
