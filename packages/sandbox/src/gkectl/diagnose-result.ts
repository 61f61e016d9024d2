/** Outcome of one check, as gkectl prints it: `Checking NAME...SUCCESS` or `...FAILURE`. */
export type GkectlCheckStatus = 'SUCCESS' | 'FAILURE';

/** One `Checking ...` line and what is printed under it. */
export interface GkectlCheckResult {
  /** The check as printed, without the status, e.g. `Checking etcd members (health)`. */
  name: string;
  status: GkectlCheckStatus;
  /** One `Reason:` line each. Empty for a success. */
  reasons: string[];
  /** Lines of the `Unhealthy Resources:` block, e.g. `Pod [user-cluster-1/kube-etcd-0]: not Ready`. */
  unhealthyResources: string[];
}

/** One `- Validation Category: NAME` group. */
export interface GkectlCategoryResult {
  name: string;
  checks: GkectlCheckResult[];
}

/** Everything one `gkectl diagnose cluster` run found, before it is printed. */
export interface GkectlDiagnoseResult {
  /** `admin` without `--cluster-name`, else `user`. */
  target: 'admin' | 'user';
  /** The admin cluster for `admin`, the `--cluster-name` value for `user`. */
  clusterName: string;
  categories: GkectlCategoryResult[];
  /**
   * Set when the tool could not diagnose at all (unknown cluster, unreadable kubeconfig): printed after
   * `Exit with error:` with no verdict, as gkectl prints its own errors.
   */
  fatalError?: string;
}

/** True when every check succeeded and nothing stopped the run. */
export function isHealthy(result: GkectlDiagnoseResult): boolean {
  return (
    result.fatalError === undefined &&
    result.categories.every((category) => category.checks.every((check) => check.status === 'SUCCESS'))
  );
}
