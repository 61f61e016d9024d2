import type { BundleMember } from '../bundle/bundle-manifest.js';
import type { PlanStep } from '../plan/plan-step.js';

/**
 * What `planRestore` returns and `applyRestore` runs: everything decided up front from the bundle's
 * manifest and the live cluster, serializable so `--plan` prints exactly what `--yes` will do.
 */
export interface RestorePlan {
  kind: 'restore';
  /** Version of this shape; the journal refuses to resume a plan of another version. */
  planVersion: 1;
  /** When the plan was made, ISO 8601. */
  createdAt: string;
  /** The cluster restored into, as found live (and checked against the bundle). */
  cluster: {
    name: string;
    topology: 'kubeception' | 'controlplane-v2';
    ha: boolean;
    /** The members after the restore: names, peer URLs, nodes. */
    members: BundleMember[];
  };
  /** The bundle restored from. */
  bundle: {
    path: string;
    createdAt: string;
    revision: number;
    totalKeys: number;
    etcdVersion: string;
  };
  /** Ordered steps; adjacent steps sharing `parallelGroup` may run at the same time. */
  steps: PlanStep[];
  /** Things the user should know before saying yes (for example `--force-other-cluster` in use). */
  warnings: string[];
}
