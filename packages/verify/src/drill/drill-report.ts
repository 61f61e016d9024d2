import type { InventoryDiffRow } from '../native/compare-inventories.js';

/** One step of a drill as the report shows it. */
export interface DrillStep {
  /** e.g. `backup`, `restore`, `verify`. */
  name: string;
  outcome: 'succeeded' | 'failed' | 'skipped';
  durationMs: number;
  /** One line: what was done, or why it failed or was skipped. */
  detail?: string;
}

/** What a drill did and proved. Serialised as JSON (`reportVersion` 1) and rendered by `renderDrillMarkdown`. */
export interface DrillReport {
  reportVersion: 1;
  /** `passed` only when every step succeeded, the cluster verified healthy and the probes matched. */
  verdict: 'passed' | 'failed';
  mode: 'sandbox' | 'target';
  cluster: { name: string; topology: 'kubeception' | 'controlplane-v2'; ha: boolean };
  /** ISO 8601. */
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  steps: DrillStep[];
  backup?: { bundlePath: string; bytes: number; revision: number; totalKeys: number };
  restore?: { revision: number; durationMs: number };
  /** Rows whose live key count differs from the bundle's, after the restore. */
  inventoryDiff: InventoryDiffRow[];
  /** Sandbox mode: configmaps created before the backup (must come back) and after it (must be gone). */
  probes?: { expectedPresent: string[]; expectedAbsent: string[]; missing: string[]; unexpected: string[] };
  /** One sentence per reason the drill failed; empty when it passed. */
  failures: string[];
}

/** Arguments the drill passes to the injected restore. */
export interface DrillRestoreArguments {
  /** `etcd-dr.yaml` of the target. */
  configPath: string;
  /** The bundle to restore. */
  bundlePath: string;
  /** age identities (`AGE-SECRET-KEY-1...`) for an encrypted bundle. */
  identities?: string[];
  /** A folder the restore may use for its journal and temporary files. */
  workDirectory: string;
}

/** What the injected restore reports. */
export interface DrillRestoreResult {
  /** The store revision after the restore (the bundle's snapshot revision, or above). */
  revision: number;
  durationMs: number;
}

/** The restore a drill runs, injected so that `@etcd-dr/verify` does not depend on the restore engine. */
export type DrillRestore = (args: DrillRestoreArguments) => Promise<DrillRestoreResult>;

/** A running lab as the drill needs it (`@etcd-dr/sandbox`'s `Sandbox` fits). */
export interface DrillSandbox {
  dir: string;
  /** `etcd-dr.yaml` of the lab. */
  config: string;
  userKubeconfig: string;
  /** Corrupts these user-cluster etcd members (0-based). */
  breakMembers(members: number[]): Promise<void>;
  /** Stops the lab and removes everything it made. */
  stop(): Promise<void>;
}

/** Starts a lab (`@etcd-dr/sandbox`'s `startSandbox` fits). */
export type DrillSandboxStarter = (options: {
  topology: 'kubeception' | 'controlplane-v2';
  ha: boolean;
  dir: string;
  attached: boolean;
}) => Promise<DrillSandbox>;

/** A progress event of a drill, one per step start and end. */
export interface DrillStepEvent {
  step: string;
  status: 'started' | 'succeeded' | 'failed' | 'skipped';
  durationMs?: number;
  detail?: string;
}
