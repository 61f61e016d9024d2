import { EtcdDrError, type EtcdDrErrorOptions } from '../../errors/etcd-dr-error.js';

/** Stable codes of {@link ControlplaneV2RestoreError}. */
export type ControlplaneV2RestoreErrorCode =
  /** The bundle or the live facts cannot give a plan (wrong topology, member mismatch, missing manifest). */
  | 'CPV2_RESTORE_PLAN_INVALID'
  /** A node lacks something the restore needs (disk space, docker, PKI the bundle cannot supply). */
  | 'CPV2_RESTORE_NODE_NOT_READY'
  /** A command on a node failed; the message names the node, the step and the command's last error line. */
  | 'CPV2_RESTORE_COMMAND_FAILED'
  /** The node is in a state no step expects (for example old data already moved aside twice). */
  | 'CPV2_RESTORE_STATE_CONFLICT'
  /** Waiting (for etcd to stop, for healthy members, for the API) ran out of time. */
  | 'CPV2_RESTORE_TIMEOUT';

/** A Controlplane V2 restore step or plan failed: names the node and step, and what to do. */
export class ControlplaneV2RestoreError extends EtcdDrError {
  declare readonly code: ControlplaneV2RestoreErrorCode;
  /** The node concerned, when one is. */
  readonly node: string | undefined;
  /** The plan step concerned, when one is. */
  readonly step: string | undefined;

  constructor(
    options: EtcdDrErrorOptions & { code: ControlplaneV2RestoreErrorCode; node?: string; step?: string },
  ) {
    super(options);
    this.name = 'ControlplaneV2RestoreError';
    this.node = options.node;
    this.step = options.step;
  }
}
