import { EtcdDrError, type EtcdDrErrorOptions } from '../../errors/etcd-dr-error.js';

export type SshErrorCode =
  | 'SSH_UNREACHABLE'
  | 'SSH_AUTH_FAILED'
  | 'SSH_IDENTITY_UNREADABLE'
  | 'SSH_HOST_KEY_MISMATCH'
  | 'SSH_HANDSHAKE_FAILED'
  | 'SSH_TIMEOUT'
  | 'SSH_ABORTED'
  | 'SSH_COMMAND_FAILED'
  | 'SSH_OUTPUT_TOO_LARGE'
  | 'SSH_SUDO_PASSWORD_REQUIRED'
  | 'SSH_SUDO_NOT_ALLOWED'
  | 'SSH_CONNECTION_LOST'
  | 'SSH_FORWARD_FAILED'
  | 'SSH_INVALID_ARGUMENT';

/** Options of {@link SshError}. */
export interface SshErrorOptions extends EtcdDrErrorOptions {
  code: SshErrorCode;
  /** The node the operation targets (its `name` in the cluster config). */
  node: string;
  /** The jump host the connection goes through, when there is one. */
  jumpHost?: string;
  /** What etcd-dr was doing: `connect`, `exec`, `read-file`, `read-tar`, `write-file`, `stat-disk-free`. */
  step: string;
  /** Exit code of the remote command, when it ended with one. */
  exitCode?: number;
  /** Bytes already delivered to the destination before the failure; resume a read from this offset. */
  bytesTransferred?: number;
  /** Host key fingerprints, for `SSH_HOST_KEY_MISMATCH`. */
  expectedHostKey?: string;
  actualHostKey?: string;
}

/** A failure talking to a node over SSH; `node`, `jumpHost` and `step` say where. */
export class SshError extends EtcdDrError {
  declare readonly code: SshErrorCode;
  readonly node: string;
  readonly jumpHost: string | undefined;
  readonly step: string;
  readonly exitCode: number | undefined;
  readonly bytesTransferred: number | undefined;
  readonly expectedHostKey: string | undefined;
  readonly actualHostKey: string | undefined;

  constructor(options: SshErrorOptions) {
    super(options);
    this.name = 'SshError';
    this.node = options.node;
    this.jumpHost = options.jumpHost;
    this.step = options.step;
    this.exitCode = options.exitCode;
    this.bytesTransferred = options.bytesTransferred;
    this.expectedHostKey = options.expectedHostKey;
    this.actualHostKey = options.actualHostKey;
  }
}
