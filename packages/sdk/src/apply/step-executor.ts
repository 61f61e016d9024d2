import type { Bundle } from '../bundle/read-bundle.js';
import type { ClusterConfig } from '../cluster/cluster-config.js';
import type { PlanStep } from '../plan/plan-step.js';
import type { KubeConnection } from '../transport/kube/connect-kube.js';
import type { SshConnection } from '../transport/ssh/ssh-connection.js';

/** What an executor gets to run one step. Connections are opened once per run and shared. */
export interface StepContext {
  /** The target, as `loadClusterConfig` returns it (absolute paths). */
  config: ClusterConfig;
  /** The bundle, already verified (hashes) before the first step. */
  bundle: Bundle;
  /** age identities for encrypted bundle files; in memory only, never logged or journaled. */
  identities: string[];
  /** The admin cluster's API. */
  adminKube(): Promise<KubeConnection>;
  /** The user cluster's API (may not answer while its etcd is down). */
  userKube(): Promise<KubeConnection>;
  /** SSH to a node of the config by name (control-plane nodes, the admin control-plane node), through the jump host when configured, host keys pinned. */
  ssh(nodeName: string): Promise<SshConnection>;
  /** The local working directory of this restore (journal, lock, temporary files), mode 0700. */
  workDirectory: string;
  /** Outputs earlier steps returned, by step id; persisted in the journal so a resumed run sees them. */
  outputs: Readonly<Record<string, Record<string, unknown>>>;
  /** Progress of long work inside the step (bytes copied, waiting for a pod); must not throw. */
  onProgress(event: StepProgressEvent): void;
  signal: AbortSignal;
}

/** Progress inside one step. */
export interface StepProgressEvent {
  stepId: string;
  message: string;
  bytesDone?: number;
  bytesTotal?: number;
}

/**
 * Runs one kind of step. `apply` must be idempotent: a resumed run repeats a step that was interrupted
 * half-way, so it checks what is already done (a manifest already moved, a pod already deleted) first.
 */
export interface StepExecutor<Params = Record<string, unknown>> {
  /** Does the step; may return JSON outputs that later steps and the undo read from `context.outputs`. */
  apply(step: PlanStep<string, Params>, context: StepContext): Promise<Record<string, unknown> | undefined>;
  /** Puts back what `apply` changed (also after a partial apply); absent when there is nothing to put back. */
  undo?(step: PlanStep<string, Params>, context: StepContext): Promise<void>;
}
