/** The checks `runNativeChecks` performs, by stable name. */
export type NativeCheckName =
  | 'etcd-members-healthy'
  | 'etcd-members-agree'
  | 'control-plane-pods-ready'
  | 'user-api-answers'
  | 'gkectl-diagnose';

/** `skipped` means the check could not apply (e.g. no bundle given); it never makes a cluster unhealthy. */
export type NativeCheckOutcome = 'passed' | 'failed' | 'skipped';

/** One check's result. Reasons name pods, members and counts, never a secret value. */
export interface NativeCheck {
  name: NativeCheckName;
  outcome: NativeCheckOutcome;
  /** One sentence each: why it failed or was skipped, or what was seen when it passed. */
  reasons: string[];
}

/** Pure: a check that passed with the facts seen. */
export function passed(name: NativeCheckName, ...reasons: string[]): NativeCheck {
  return { name, outcome: 'passed', reasons };
}

/** Pure: a check that failed with its reasons. */
export function failed(name: NativeCheckName, ...reasons: string[]): NativeCheck {
  return { name, outcome: 'failed', reasons };
}

/** Pure: a check that did not apply, with why. */
export function skipped(name: NativeCheckName, ...reasons: string[]): NativeCheck {
  return { name, outcome: 'skipped', reasons };
}
