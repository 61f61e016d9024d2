import { KubeError } from './kube-error.js';

/** What the failing call was doing, for the error message: `get pod kube-etcd-0 in user-1`. */
export interface KubeOperation {
  server: string;
  /** e.g. `list pods -l component=etcd in kube-system`. */
  what: string;
  /** The kubeconfig used, named in remedies. */
  kubeconfigPath: string;
}

const networkCodes = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'ECONNRESET',
  'EAI_AGAIN',
]);

/**
 * Maps whatever @kubernetes/client-node threw (ApiException with `.code`/`.body`, a fetch/socket error)
 * into a KubeError that says what failed, where, and what to do.
 */
export function toKubeError(error: unknown, operation: KubeOperation): KubeError {
  if (error instanceof KubeError) return error;
  const where = `${operation.what} on ${operation.server}`;
  const status =
    typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : undefined;
  if (status !== undefined) {
    const body = parseBody((error as { body?: unknown }).body);
    const reason = body?.message ?? `HTTP ${status}`;
    const common = { server: operation.server, status, cause: error };
    if (status === 401)
      return new KubeError({
        ...common,
        code: 'KUBE_UNAUTHORIZED',
        message: `${where}: the server rejected the credentials (${reason})`,
        remedy: `check that ${operation.kubeconfigPath} belongs to this cluster and its certificate or token has not expired`,
      });
    if (status === 403)
      return new KubeError({
        ...common,
        code: 'KUBE_FORBIDDEN',
        message: `${where}: forbidden (${reason})`,
        remedy: `use a kubeconfig with cluster-admin rights; ${operation.kubeconfigPath} lacks them`,
      });
    if (status === 404)
      return new KubeError({
        ...common,
        code: 'KUBE_NOT_FOUND',
        message: `${where}: not found (${reason})`,
        remedy:
          'check the cluster name and namespace in the config, and that the kubeconfig points at the right cluster',
      });
    if (status === 409)
      return new KubeError({
        ...common,
        code: 'KUBE_CONFLICT',
        message: `${where}: conflict (${reason})`,
        remedy: 'the object changed or already exists; run the command again',
        isRetryable: true,
      });
    return new KubeError({
      ...common,
      code: status === 504 ? 'KUBE_TIMEOUT' : 'KUBE_API_ERROR',
      message: `${where}: the API server answered ${status} (${reason})`,
      remedy:
        status >= 500
          ? "the API server or its etcd is unhealthy; check the control plane's pods"
          : 'this is likely a bug in etcd-dr; please report it with the message',
      isRetryable: status >= 500,
    });
  }
  const code = findErrnoCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code && networkCodes.has(code)) {
    return new KubeError({
      code: 'KUBE_UNREACHABLE',
      server: operation.server,
      message: `${where}: cannot reach the API server (${code})`,
      remedy: `check that the API server in ${operation.kubeconfigPath} is up and reachable from this machine`,
      isRetryable: true,
      cause: error,
    });
  }
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) {
    return new KubeError({
      code: 'KUBE_TIMEOUT',
      server: operation.server,
      message: `${where}: timed out`,
      remedy: 'the API server is slow or unreachable; check it and try again',
      isRetryable: true,
      cause: error,
    });
  }
  return new KubeError({
    code: 'KUBE_API_ERROR',
    server: operation.server,
    message: `${where}: ${message.split('\n')[0]}`,
    remedy: `check the API server in ${operation.kubeconfigPath} and its certificates`,
    cause: error,
  });
}

function parseBody(body: unknown): { message?: string } | undefined {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as { message?: string };
    } catch {
      return body ? { message: body.slice(0, 200) } : undefined;
    }
  }
  return typeof body === 'object' && body !== null ? (body as { message?: string }) : undefined;
}

function findErrnoCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
