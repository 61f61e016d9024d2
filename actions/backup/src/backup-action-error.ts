import { EtcdDrError } from '@etcd-dr/sdk';

/** The artifact service stored something other than the bundle. */
export class BackupActionError extends EtcdDrError {
  declare readonly code: 'ACTION_UPLOAD_MISMATCH';
  /** The artifact's name (`NAME.tar`). */
  readonly artifact: string;

  constructor(options: {
    code: 'ACTION_UPLOAD_MISMATCH';
    artifact: string;
    message: string;
    remedy: string;
  }) {
    super(options);
    this.name = 'BackupActionError';
    this.artifact = options.artifact;
  }
}
