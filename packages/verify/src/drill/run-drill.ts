import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupCluster, type ClusterConfig, connectKube, loadClusterConfig } from '@etcd-dr/sdk';
import { type ClusterVerification, type GkectlOptions, verifyCluster } from '../cluster/verify-cluster.js';
import type { InventoryDiffRow } from '../native/compare-inventories.js';
import { summarizeInventoryDiff } from '../native/compare-inventories.js';
import { type BundleInventory, readBundleInventory } from '../native/read-bundle-inventory.js';
import { runNativeChecks } from '../native/run-native-checks.js';
import { VerifyError } from '../verify-error.js';
import type {
  DrillReport,
  DrillRestore,
  DrillSandbox,
  DrillSandboxStarter,
  DrillStepEvent,
} from './drill-report.js';
import { StepFailure, StepRecorder } from './step-recorder.js';

/** Options shared by both drill modes. */
interface DrillOptionsBase {
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

const probeNamespace = 'default';

/**
 * Proves that a bundle restores: backup (sandbox mode), restore, verify, and a report with steps, durations,
 * bytes, revisions, the inventory diff and a verdict.
 *
 * Sandbox mode starts a fresh lab in a temporary folder, creates configmaps `drill-before-*` through the user
 * API, backs up with `backupCluster`, creates `drill-after-*`, breaks the etcd data (member 0, or members 0 and
 * 1 when HA), runs the injected restore, waits for the cluster to verify healthy (native checks and the lab's
 * gkectl), checks that every before-probe came back and no after-probe did, and compares the live keys with
 * the bundle's. The lab and the temporary folder are always removed.
 *
 * Target mode checks the cluster first and stops before restoring anything when it is unhealthy (unless
 * `allowUnhealthy`), then restores the bundle, verifies, and compares.
 *
 * A failed step is a `failed` verdict, not a throw; later steps are `skipped`.
 * @throws VerifyError `VERIFY_DRILL_OPTIONS_INVALID` for bad options.
 */
export async function runDrill(options: RunDrillOptions): Promise<DrillReport> {
  validate(options);
  return options.mode === 'sandbox' ? sandboxDrill(options) : targetDrill(options);
}

async function sandboxDrill(options: SandboxDrillOptions): Promise<DrillReport> {
  const startedAt = new Date();
  const ha = options.ha ?? false;
  const recorder = new StepRecorder(options.onStep);
  const folder = await mkdtemp(join(options.workDirectory ?? tmpdir(), 'etcd-dr-drill-'));
  const run = randomBytes(3).toString('hex');
  const before = names('drill-before', run, options.probes?.before ?? 3);
  const after = names('drill-after', run, options.probes?.after ?? 2);
  let lab: DrillSandbox | undefined;
  let report: Omit<DrillReport, 'verdict' | 'finishedAt' | 'durationMs' | 'steps' | 'failures'> = {
    reportVersion: 1,
    mode: 'sandbox',
    cluster: { name: 'user-cluster-1', topology: options.topology, ha },
    startedAt: startedAt.toISOString(),
    inventoryDiff: [],
  };
  try {
    const config = await recorder.run(
      'start-sandbox',
      async () => {
        lab = await options.startSandbox({
          topology: options.topology,
          ha,
          dir: join(folder, 'lab'),
          attached: true,
        });
        return loadClusterConfig({ path: lab.config });
      },
      () => `lab in ${lab?.dir}`,
    );
    if (config) report = { ...report, cluster: { ...report.cluster, name: config.userCluster.name } };
    const gkectl: GkectlOptions = options.gkectl ?? (lab ? { path: join(lab.dir, 'bin', 'gkectl') } : {});

    await recorder.run(
      'create-probes-before',
      () => createProbes({ config: config!, names: before }),
      () => `created configmaps ${before.join(', ')} in ${probeNamespace}`,
    );
    const backup = await recorder.run(
      'backup',
      async () => {
        const result = await backupCluster({
          config: config!,
          outputDirectory: join(folder, 'bundles'),
          tool: options.tool ?? { name: '@etcd-dr/verify drill', version: 'unknown' },
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const inventory = await readBundleInventory({ bundlePath: result.path, temporaryDirectory: folder });
        return { result, inventory };
      },
      ({ result }) =>
        `bundle ${result.path}: revision ${result.manifest.snapshot.revision}, ${result.manifest.snapshot.totalKeys} keys, ${result.snapshotBytes} snapshot bytes`,
    );
    if (backup) report = { ...report, backup: backupFacts(backup.inventory) };
    await recorder.run(
      'create-probes-after',
      () => createProbes({ config: config!, names: after }),
      () => `created configmaps ${after.join(', ')} in ${probeNamespace}`,
    );
    const members = ha ? [0, 1] : [0];
    await recorder.run(
      'break-cluster',
      async () => {
        await lab!.breakMembers(members);
        return waitUntilUnhealthy({ config: config!, timeoutMs: 60_000 });
      },
      (reason) => `corrupted the data of member(s) ${members.join(', ')}; then: ${reason}`,
    );
    const restored = await recorder.run(
      'restore',
      () =>
        options.restore({
          configPath: lab!.config,
          bundlePath: backup!.result.path,
          workDirectory: join(folder, 'restore'),
        }),
      (result) => `restored revision ${result.revision} in ${result.durationMs} ms`,
    );
    if (restored)
      report = { ...report, restore: { revision: restored.revision, durationMs: restored.durationMs } };
    const verification = await recorder.run(
      'verify',
      () =>
        verifyUntilHealthy({
          config: config!,
          against: backup!.inventory,
          gkectl,
          timeoutMs: options.recoveryTimeoutMs ?? 180_000,
          signal: options.signal,
        }),
      describeVerification,
    );
    if (verification?.inventory) report = { ...report, inventoryDiff: verification.inventory.diff };
    await recorder.run(
      'check-probes',
      async () => {
        const present = await listProbes({ config: config!, run });
        const missing = before.filter((name) => !present.includes(name));
        const unexpected = after.filter((name) => present.includes(name));
        report = {
          ...report,
          probes: { expectedPresent: before, expectedAbsent: after, missing, unexpected },
        };
        if (missing.length > 0 || unexpected.length > 0) {
          throw new StepFailure(
            [
              ...(missing.length ? [`created before the backup but missing: ${missing.join(', ')}`] : []),
              ...(unexpected.length
                ? [`created after the backup but present: ${unexpected.join(', ')}`]
                : []),
            ].join('; '),
          );
        }
        return present;
      },
      () => `all ${before.length} before-probes are back and none of the ${after.length} after-probes`,
    );
    await compareStep({ recorder, verification, diff: report.inventoryDiff });
  } finally {
    await recorder.run(
      'stop-sandbox',
      async () => {
        await lab?.stop();
        await rm(folder, { recursive: true, force: true });
      },
      () => (lab ? 'lab stopped and removed' : 'no lab was started; temporary folder removed'),
      { always: true },
    );
  }
  return finish({ report, recorder, startedAt });
}

async function targetDrill(options: TargetDrillOptions): Promise<DrillReport> {
  const startedAt = new Date();
  const recorder = new StepRecorder(options.onStep);
  const config = await loadClusterConfig({ path: options.configPath });
  const gkectl = options.gkectl ?? {};
  const identities = options.identities ?? [];
  let report: Omit<DrillReport, 'verdict' | 'finishedAt' | 'durationMs' | 'steps' | 'failures'> = {
    reportVersion: 1,
    mode: 'target',
    cluster: {
      name: config.userCluster.name,
      topology: config.userCluster.topology === 'controlplane-v2' ? 'controlplane-v2' : 'kubeception',
      ha: false,
    },
    startedAt: startedAt.toISOString(),
    inventoryDiff: [],
  };
  const inventory = await recorder.run(
    'read-bundle',
    () => readBundleInventory({ bundlePath: options.bundlePath, identities }),
    (read) =>
      `bundle of ${read.manifest.cluster.name} taken ${read.manifest.createdAt}: revision ${read.snapshot.status.revision}, ${read.snapshot.liveKeys} live keys`,
  );
  if (inventory) {
    report = {
      ...report,
      cluster: {
        name: config.userCluster.name,
        topology: inventory.manifest.cluster.topology,
        ha: inventory.manifest.cluster.ha,
      },
      backup: backupFacts(inventory),
    };
  }
  await recorder.run(
    'pre-check',
    async () => {
      const verification = await verifyCluster({ config, gkectl, ...signalOf(options) });
      report = { ...report, cluster: { ...report.cluster, topology: verification.cluster.topology } };
      if (verification.verdict === 'healthy') return 'the cluster verified healthy before the restore';
      const reasons = failedReasons(verification);
      if (!options.allowUnhealthy) {
        throw new StepFailure(
          `the cluster is unhealthy before the drill, so nothing was restored (${reasons}); repair it, or allow restoring into an unhealthy cluster (allowUnhealthy, --allow-unhealthy)`,
        );
      }
      return `the cluster is unhealthy before the restore (${reasons}); restoring anyway as allowed`;
    },
    (text) => text,
  );
  const workDirectory =
    options.workDirectory === undefined
      ? await mkdtemp(join(tmpdir(), 'etcd-dr-drill-'))
      : await mkdtemp(join(options.workDirectory, 'etcd-dr-drill-'));
  try {
    const restored = await recorder.run(
      'restore',
      () =>
        options.restore({
          configPath: options.configPath,
          bundlePath: options.bundlePath,
          ...(identities.length > 0 ? { identities } : {}),
          workDirectory,
        }),
      (result) => `restored revision ${result.revision} in ${result.durationMs} ms`,
    );
    if (restored)
      report = { ...report, restore: { revision: restored.revision, durationMs: restored.durationMs } };
    const verification = await recorder.run(
      'verify',
      () =>
        verifyUntilHealthy({
          config,
          against: inventory!,
          gkectl,
          timeoutMs: options.recoveryTimeoutMs ?? 180_000,
          signal: options.signal,
        }),
      describeVerification,
    );
    if (verification?.inventory) report = { ...report, inventoryDiff: verification.inventory.diff };
    await compareStep({ recorder, verification, diff: report.inventoryDiff });
  } finally {
    if (options.workDirectory === undefined) await rm(workDirectory, { recursive: true, force: true });
  }
  return finish({ report, recorder, startedAt });
}

function finish(options: {
  report: Omit<DrillReport, 'verdict' | 'finishedAt' | 'durationMs' | 'steps' | 'failures'>;
  recorder: StepRecorder;
  startedAt: Date;
}): DrillReport {
  const finishedAt = new Date();
  const { recorder } = options;
  return {
    ...options.report,
    verdict: recorder.failures.length === 0 ? 'passed' : 'failed',
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - options.startedAt.getTime(),
    steps: recorder.steps,
    failures: recorder.failures,
  };
}

async function compareStep(options: {
  recorder: StepRecorder;
  verification: ClusterVerification | undefined;
  diff: InventoryDiffRow[];
}): Promise<void> {
  await options.recorder.run(
    'compare-inventory',
    async () => {
      if (!options.verification?.inventory) {
        throw new StepFailure(
          `the live keys could not be compared with the bundle: ${options.verification?.warnings.join('; ') || 'no inventory was read'}`,
        );
      }
      return summarizeInventoryDiff(options.diff);
    },
    (text) => text,
  );
}

function backupFacts(inventory: BundleInventory): NonNullable<DrillReport['backup']> {
  return {
    bundlePath: inventory.bundlePath,
    bytes: inventory.manifest.files.reduce((sum, file) => sum + file.size, 0),
    revision: inventory.manifest.snapshot.revision,
    totalKeys: inventory.manifest.snapshot.totalKeys,
  };
}

function names(prefix: string, run: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}-${run}-${index + 1}`);
}

async function createProbes(options: { config: ClusterConfig; names: string[] }): Promise<void> {
  const user = await connectKube({ kubeconfigPath: options.config.userCluster.kubeconfig });
  for (const name of options.names) {
    await user.call(`create configmap ${probeNamespace}/${name}`, () =>
      user.core.createNamespacedConfigMap({
        namespace: probeNamespace,
        body: {
          metadata: { name, labels: { 'etcd-dr.io/drill': 'probe' } },
          data: { createdAt: new Date().toISOString() },
        },
      }),
    );
  }
}

async function listProbes(options: { config: ClusterConfig; run: string }): Promise<string[]> {
  const user = await connectKube({ kubeconfigPath: options.config.userCluster.kubeconfig });
  const list = await user.call(`list configmaps in ${probeNamespace}`, () =>
    user.core.listNamespacedConfigMap({ namespace: probeNamespace }),
  );
  return list.items
    .map((item) => item.metadata?.name ?? '')
    .filter((name) => name.startsWith('drill-') && name.includes(`-${options.run}-`));
}

async function waitUntilUnhealthy(options: { config: ClusterConfig; timeoutMs: number }): Promise<string> {
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
async function verifyUntilHealthy(options: {
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

function describeVerification(verification: ClusterVerification): string {
  const passedChecks = verification.checks
    .filter((check) => check.outcome === 'passed')
    .map((check) => check.name);
  const skippedChecks = verification.checks
    .filter((check) => check.outcome === 'skipped')
    .map((check) => `${check.name} (${check.reasons.join('; ')})`);
  const members = verification.members.map((member) => `${member.pod}@${member.revision}`).join(', ');
  return `healthy: ${passedChecks.join(', ')}${skippedChecks.length ? `; skipped ${skippedChecks.join(', ')}` : ''}; members ${members}`;
}

function failedReasons(verification: ClusterVerification): string {
  return verification.checks
    .filter((check) => check.outcome === 'failed')
    .map((check) => `${check.name}: ${check.reasons.join('; ')}`)
    .join(' | ');
}

function signalOf(options: { signal?: AbortSignal }): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((done) => setTimeout(done, milliseconds));
}

function validate(options: RunDrillOptions): void {
  const problems: string[] = [];
  if (typeof options.restore !== 'function') problems.push('restore must be a function');
  if (options.mode === 'sandbox') {
    if (options.topology !== 'kubeception' && options.topology !== 'controlplane-v2') {
      problems.push(`topology must be kubeception or controlplane-v2 (got ${String(options.topology)})`);
    }
    if (typeof options.startSandbox !== 'function') problems.push('startSandbox must be a function');
  } else if (options.mode === 'target') {
    if (!options.configPath) problems.push('configPath must name an etcd-dr.yaml');
    if (!options.bundlePath) problems.push('bundlePath must name a bundle');
  } else {
    problems.push(`mode must be sandbox or target (got ${String((options as { mode: unknown }).mode)})`);
  }
  if (problems.length > 0) {
    throw new VerifyError({
      code: 'VERIFY_DRILL_OPTIONS_INVALID',
      message: `runDrill: ${problems.join('; ')}`,
      remedy:
        'pass { mode: "sandbox", topology, startSandbox, restore } or { mode: "target", configPath, bundlePath, restore }',
    });
  }
}
