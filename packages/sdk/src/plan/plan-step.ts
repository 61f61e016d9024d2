/**
 * One step of a plan: serializable (JSON), readable by a human before anything runs, and enough for the
 * executor to run it and, when a later step fails, to put back what it changed. Backup and restore plans
 * share this model; `--plan` prints the steps and nothing touches the cluster.
 */
export interface PlanStep<Kind extends string = string, Params = Record<string, unknown>> {
  /** Unique within the plan and stable across runs of the same plan (the journal keys on it), e.g. `scale-down:kube-apiserver`. */
  id: string;
  /** Which executor runs it, e.g. `kubeception.scale`, `controlplane-v2.move-manifests-aside`. */
  kind: Kind;
  /** One line in the imperative, e.g. `Scale StatefulSet kube-apiserver to 0`. */
  title: string;
  /** Why the step exists and what it changes. */
  description: string;
  /** The equivalent kubectl/ssh commands, for audit and for doing it by hand. */
  commands: string[];
  /** How to put back what the step changed; absent when it changes nothing that needs putting back. */
  undo?: PlanStepUndo;
  /** Executor input; plain JSON (no secrets: keys and snapshots are referenced by bundle path, never inlined). */
  params: Params;
  /**
   * Steps that share a group and are adjacent in the plan may run in parallel (for example one step per
   * member of an HA cluster). Default: runs alone, in order.
   */
  parallelGroup?: string;
  /** Where and why the step departs from the documented runbook, when it does. */
  departsFromRunbook?: string;
}

/** How a step's change is undone. */
export interface PlanStepUndo {
  description: string;
  commands: string[];
}
