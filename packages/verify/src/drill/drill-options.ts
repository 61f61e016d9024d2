import type { GkectlOptions } from '../cluster/verify-cluster.js';
import type { DrillRestore, DrillSandboxStarter, DrillStepEvent } from './drill-report.js';

/** Options shared by both drill modes. */
export interface DrillOptionsBase {
  /** The restore to prove, injected (the CLI passes `applyRestore` behind a small adapter). */
  restore: DrillRestore;
  /** Folder for the drill's temporary folder (lab, bundle, restore journal). Default the OS temp folder. */
  workDirectory?: string;
  /** gkectl for the verifications. Default: sandbox mode uses the lab's `DIR/bin/gkectl`, target mode PATH. */
  gkectl?: GkectlOptions;
  /** How long the cluster may take to answer healthy after the restore. Default 180 000 ms. */
  recoveryTimeoutMs?: number;
  /** Receives a start and an end event per step; must not throw. Default: none. */
  onStep?: (event: DrillStepEvent) => void;
  signal?: AbortSignal;
}

/** A whole drill on a fresh lab that the drill creates and removes. */
export interface SandboxDrillOptions extends DrillOptionsBase {
  mode: 'sandbox';
  topology: 'kubeception' | 'controlplane-v2';
  /** 3 members (then two are broken) instead of 1. Default false. */
  ha?: boolean;
  /** Starts the lab (`startSandbox` of `@etcd-dr/sandbox`; injected so that verify does not depend on it). */
  startSandbox: DrillSandboxStarter;
  /** Probe configmaps created before the backup and after it. Default 3 and 2. */
  probes?: { before?: number; after?: number };
  /** Recorded in the bundle's manifest. Default `{ name: '@etcd-dr/verify drill', version: 'unknown' }`. */
  tool?: { name: string; version: string };
}

/** The restore half of a drill against an existing test cluster and bundle. */
export interface TargetDrillOptions extends DrillOptionsBase {
  mode: 'target';
  /** `etcd-dr.yaml` of the test cluster. */
  configPath: string;
  /** The bundle to restore. */
  bundlePath: string;
  /** age identities (`AGE-SECRET-KEY-1...`) for an encrypted bundle. Default none. */
  identities?: string[];
  /** Restore even when the cluster is unhealthy before the drill. Default false: stop before restoring. */
  allowUnhealthy?: boolean;
}

/** Options of {@link runDrill}. */
export type RunDrillOptions = SandboxDrillOptions | TargetDrillOptions;
