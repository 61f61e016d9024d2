import { EtcdDrError, type EtcdDrErrorOptions } from '../../errors/etcd-dr-error.js';

/** Stable codes of {@link KubeError}. */
export type KubeErrorCode =
  | 'KUBECONFIG_NOT_FOUND'
  | 'KUBECONFIG_INVALID'
  | 'KUBE_UNREACHABLE'
  | 'KUBE_UNAUTHORIZED'
  | 'KUBE_FORBIDDEN'
  | 'KUBE_NOT_FOUND'
  | 'KUBE_CONFLICT'
  | 'KUBE_API_ERROR'
  | 'KUBE_TIMEOUT'
  | 'KUBE_EXEC_FAILED'
  | 'KUBE_EXEC_CONNECTION_LOST';

/** A failure talking to a Kubernetes API server: names the server, the object and the operation. */
export class KubeError extends EtcdDrError {
  declare readonly code: KubeErrorCode;
  /** The API server URL. */
  readonly server: string | undefined;
  /** HTTP status where the server answered. */
  readonly status: number | undefined;

  constructor(options: EtcdDrErrorOptions & { code: KubeErrorCode; server?: string; status?: number }) {
    super(options);
    this.name = 'KubeError';
    this.server = options.server;
    this.status = options.status;
  }
}
