import { EtcdDrError } from '@etcd-dr/sdk';

export type DrillActionErrorCode = 'ACTION_ARTIFACT_NOT_FOUND' | 'ACTION_ARTIFACT_CORRUPT';

/** The restore-drill action could not find, fetch or drill a backup artifact. */
export class DrillActionError extends EtcdDrError {
  declare readonly code: DrillActionErrorCode;

  constructor(options: { code: DrillActionErrorCode; message: string; remedy: string; cause?: unknown }) {
    super(options);
    this.name = 'DrillActionError';
  }
}
