import { EtcdDrError, type EtcdDrErrorOptions } from '@etcd-dr/sdk';

/** Stable codes of {@link GkectlError}. */
export type GkectlErrorCode =
  | 'GKECTL_KUBECONFIG_INVALID'
  | 'GKECTL_CONFIG_INVALID'
  | 'GKECTL_CLUSTER_NOT_FOUND'
  | 'GKECTL_API_UNREACHABLE'
  | 'GKECTL_API_ERROR'
  | 'GKECTL_TIMEOUT'
  | 'GKECTL_EXEC_FAILED';

/**
 * A failure inside the lab's `gkectl` stand-in while it diagnoses: a check that meets one prints its
 * message as the check's `Reason:`; one that stops the run is printed after `Exit with error:`.
 */
export class GkectlError extends EtcdDrError {
  declare readonly code: GkectlErrorCode;

  constructor(options: EtcdDrErrorOptions & { code: GkectlErrorCode }) {
    super(options);
    this.name = 'GkectlError';
  }
}
