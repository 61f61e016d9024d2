import { EtcdDrError, type EtcdDrErrorOptions } from '@etcd-dr/sdk';

/** Stable codes of {@link SandboxError}. */
export type SandboxErrorCode =
  | 'SANDBOX_NOT_ROOT'
  | 'SANDBOX_PREREQUISITE_MISSING'
  | 'SANDBOX_COMMAND_FAILED'
  | 'SANDBOX_LAB_EXISTS'
  | 'SANDBOX_STATE_INVALID'
  | 'SANDBOX_SUBNET_INVALID'
  | 'SANDBOX_SUBNET_CONFLICT'
  | 'SANDBOX_ADDRESS_EXHAUSTED'
  | 'SANDBOX_POD_NOT_FOUND'
  | 'SANDBOX_CONTAINER_NOT_FOUND'
  | 'SANDBOX_POD_INVALID'
  | 'SANDBOX_RUNTIME_CLOSED';

/** A failure of the lab's host layer: prerequisites, network, PKI, pods, cleanup. */
export class SandboxError extends EtcdDrError {
  declare readonly code: SandboxErrorCode;

  constructor(options: EtcdDrErrorOptions & { code: SandboxErrorCode }) {
    super(options);
    this.name = 'SandboxError';
  }
}
