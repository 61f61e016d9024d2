import { EtcdDrError, type EtcdDrErrorOptions } from '../errors/etcd-dr-error.js';

/** Stable codes of {@link BackupError}. */
export type BackupErrorCode =
  | 'BACKUP_TOPOLOGY_UNKNOWN'
  | 'BACKUP_POD_NOT_FOUND'
  | 'BACKUP_ETCD_UNHEALTHY'
  | 'BACKUP_SNAPSHOT_FAILED'
  | 'BACKUP_NO_SPACE'
  | 'BACKUP_TRANSFER_FAILED'
  | 'BACKUP_SNAPSHOT_CORRUPT'
  | 'BACKUP_OBJECT_NOT_FOUND'
  | 'BACKUP_CONFIG_INCOMPLETE';

/** The steps of a backup, as named in errors and progress events. */
export type BackupStep =
  | 'connect'
  | 'detect-topology'
  | 'find-etcd'
  | 'connect-ssh'
  | 'check-etcd'
  | 'save-objects'
  | 'snapshot'
  | 'transfer'
  | 'verify'
  | 'pki'
  | 'admin-snapshot'
  | 'admin-pki'
  | 'write-bundle'
  | 'cleanup';

/** A backup failed: names the step, the object (pod, file, Kubernetes object) and what to do. */
export class BackupError extends EtcdDrError {
  declare readonly code: BackupErrorCode;
  readonly step: BackupStep;
  /** The object concerned, e.g. `pod user-1/kube-etcd-0` or `node user-1-cp1 file /etc/kubernetes/pki`. */
  readonly object: string | undefined;

  constructor(options: EtcdDrErrorOptions & { code: BackupErrorCode; step: BackupStep; object?: string }) {
    super(options);
    this.name = 'BackupError';
    this.step = options.step;
    this.object = options.object;
  }
}
