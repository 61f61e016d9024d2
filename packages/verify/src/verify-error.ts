import { EtcdDrError, type EtcdDrErrorOptions } from '@etcd-dr/sdk';
import type { DiagnoseOutput } from './gkectl/diagnose-output.js';

/** Stable codes of {@link VerifyError}. */
export type VerifyErrorCode =
  | 'VERIFY_OPTIONS_INVALID'
  | 'VERIFY_GKECTL_NOT_FOUND'
  | 'VERIFY_GKECTL_NOT_EXECUTABLE'
  | 'VERIFY_GKECTL_SPAWN_FAILED'
  | 'VERIFY_GKECTL_TIMEOUT'
  | 'VERIFY_GKECTL_ABORTED'
  | 'VERIFY_REPORT_INVALID'
  | 'VERIFY_TOPOLOGY_UNKNOWN'
  | 'VERIFY_LIVE_INVENTORY_FAILED'
  | 'VERIFY_DRILL_OPTIONS_INVALID';

/** Options of {@link VerifyError}. */
export interface VerifyErrorOptions extends EtcdDrErrorOptions {
  code: VerifyErrorCode;
  /** The gkectl binary involved, when the error is about running it. */
  gkectlPath?: string;
}

/** Verification could not run or could not finish (not: the cluster is unhealthy, which is a result). */
export class VerifyError extends EtcdDrError {
  declare readonly code: VerifyErrorCode;
  readonly gkectlPath: string | undefined;
  /** On a timeout or abort: what gkectl had printed until it was stopped, parsed. */
  output: DiagnoseOutput | undefined;

  constructor(options: VerifyErrorOptions) {
    super(options);
    this.name = 'VerifyError';
    this.gkectlPath = options.gkectlPath;
    this.output = undefined;
  }
}
