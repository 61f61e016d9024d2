import type { ClusterConfig } from '@etcd-dr/sdk';
import { type ClusterVerification, type GkectlOptions, verifyCluster } from '../cluster/verify-cluster.js';
import type { BundleInventory } from '../native/read-bundle-inventory.js';
import { runNativeChecks } from '../native/run-native-checks.js';
import { StepFailure } from './step-recorder.js';

/** Native checks every second until one fails (the break took effect); its names, or a StepFailure at the deadline. */
export async function waitUntilUnhealthy(options: {
  config: ClusterConfig;
  timeoutMs: number;
}): Promise<string> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const native = await runNativeChecks({ config: options.config, requestTimeoutMs: 5_000 });
    const failing = native.checks.filter((check) => check.outcome === 'failed');
    if (failing.length > 0) return `failing: ${failing.map((check) => check.name).join(', ')}`;
    if (Date.now() > deadline) {
      throw new StepFailure(
        `the cluster still verified healthy ${options.timeoutMs} ms after its etcd data was corrupted`,
      );
    }
    await sleep(1_000);
  }
}

/** Native checks until healthy (the control plane restarts after a restore), then the full verification. */
export async function verifyUntilHealthy(options: {
  config: ClusterConfig;
  against: BundleInventory;
  gkectl: GkectlOptions;
  timeoutMs: number;
  signal: AbortSignal | undefined;
}): Promise<ClusterVerification> {
  const deadline = Date.now() + options.timeoutMs;
  let verification: ClusterVerification | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    const native = await runNativeChecks({ config: options.config, requestTimeoutMs: 5_000 });
    if (native.healthy || Date.now() > deadline) {
      verification = await verifyCluster({
        config: options.config,
        against: options.against,
        gkectl: options.gkectl,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (verification.verdict === 'healthy' || Date.now() > deadline) break;
    }
    await sleep(2_000);
  }
  if (verification.verdict !== 'healthy') {
    const error = new StepFailure(
      `the cluster did not verify healthy within ${options.timeoutMs} ms of the restore: ${failedReasons(verification)}`,
    );
    throw error;
  }
  return verification;
}

/** Pure: one line naming the passed and skipped checks and each member's revision. */
export function describeVerification(verification: ClusterVerification): string {
  const passedChecks = verification.checks
    .filter((check) => check.outcome === 'passed')
    .map((check) => check.name);
  const skippedChecks = verification.checks
    .filter((check) => check.outcome === 'skipped')
    .map((check) => `${check.name} (${check.reasons.join('; ')})`);
  const members = verification.members.map((member) => `${member.pod}@${member.revision}`).join(', ');
  return `healthy: ${passedChecks.join(', ')}${skippedChecks.length ? `; skipped ${skippedChecks.join(', ')}` : ''}; members ${members}`;
}

/** Pure: the failed checks and their reasons, on one line. */
export function failedReasons(verification: ClusterVerification): string {
  return verification.checks
    .filter((check) => check.outcome === 'failed')
    .map((check) => `${check.name}: ${check.reasons.join('; ')}`)
    .join(' | ');
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((done) => setTimeout(done, milliseconds));
}
