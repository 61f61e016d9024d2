import { EtcdDrError, type EtcdDrErrorOptions } from '../errors/etcd-dr-error.js';

/** Stable codes of {@link RestoreError}. */
export type RestoreErrorCode =
  /** The target's topology has no restore planner yet (Controlplane V2 until it is plugged in). */
  | 'RESTORE_TOPOLOGY_UNSUPPORTED'
  /** The live cluster is not the one the bundle came from (name, topology or member count). */
  | 'RESTORE_TARGET_MISMATCH'
  /** Something the restore needs is missing from the live cluster (StatefulSet, Secret, PVC). */
  | 'RESTORE_OBJECT_NOT_FOUND'
  /** A node the restore must run on is not Ready (Kubeception: the node of a member's PVC). */
  | 'RESTORE_NODE_UNREACHABLE'
  /** The etcd-util image to run utility pods with is neither configured nor discoverable. */
  | 'RESTORE_IMAGE_UNKNOWN'
  /** The bundle cannot be decrypted with the given identities, or needs identities and none were given. */
  | 'RESTORE_DECRYPT_FAILED'
  /** Another restore holds the lock of this cluster's work directory. */
  | 'RESTORE_LOCKED'
  /** A lock left by a restore whose process is gone. */
  | 'RESTORE_LOCK_STALE'
  /** An interrupted restore's journal is in the work directory and `resume` was not asked for (or vice versa). */
  | 'RESTORE_JOURNAL_CONFLICT'
  /** The journal cannot be read or belongs to another plan or bundle. */
  | 'RESTORE_JOURNAL_INVALID'
  /** A step failed; the error says which and what was put back. */
  | 'RESTORE_STEP_FAILED'
  /** No executor is registered for a step's kind. */
  | 'RESTORE_EXECUTOR_MISSING'
  /** The restored members did not become healthy at the snapshot's revision in time. */
  | 'RESTORE_UNHEALTHY';

/** A restore was refused or failed: names the step or object concerned and what to do. */
export class RestoreError extends EtcdDrError {
  declare readonly code: RestoreErrorCode;
  /** The plan step concerned, when one is. */
  readonly step: string | undefined;
  /** The object concerned, e.g. `pod user-1/etcd-utility-0`. */
  readonly object: string | undefined;

  constructor(options: EtcdDrErrorOptions & { code: RestoreErrorCode; step?: string; object?: string }) {
    super(options);
    this.name = 'RestoreError';
    this.step = options.step;
    this.object = options.object;
  }
}
