import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Bundle } from '../bundle/read-bundle.js';
import { verifyBundle } from '../bundle/verify-bundle.js';
import type { ClusterConfig } from '../cluster/cluster-config.js';
import type { PlanStep } from '../plan/plan-step.js';
import { connectConfigNode } from '../restore/connect-config-node.js';
import { RestoreError } from '../restore/restore-error.js';
import type { RestorePlan } from '../restore/restore-plan.js';
import { restoreStepExecutors } from '../restore/restore-step-executors.js';
import { connectKube, type KubeConnection } from '../transport/kube/connect-kube.js';
import type { SshConnection } from '../transport/ssh/ssh-connection.js';
import { appendRestoreReport } from './append-restore-report.js';
import { groupSteps } from './group-steps.js';
import { oneLineError } from './one-line-error.js';
import {
  archiveRestoreJournal,
  JournalWriter,
  planIdOf,
  type RestoreJournal,
  readRestoreJournal,
} from './restore-journal.js';
import { acquireRestoreLock } from './restore-lock.js';
import type { RestoreProgressEvent } from './restore-progress.js';
import { type RestoreResult, type RestoreStepResult, withRestoreResult } from './restore-result.js';
import { rollBackSteps } from './roll-back-steps.js';
import type { StepContext, StepExecutor } from './step-executor.js';

/** Options of {@link applyRestore}. */
export interface ApplyRestoreOptions {
  /** The plan from `planRestore`. May be omitted with `resume`: the journal's plan is used. */
  plan?: RestorePlan;
  /** The target, as `loadClusterConfig` returns it. */
  config: ClusterConfig;
  /** The bundle the plan restores from (must be the plan's). */
  bundlePath: string;
  /**
   * The bundle already opened and verified (hashes) by the caller, to skip hashing it twice. Default: opened
   * and verified here, before any step runs.
   */
  bundle?: Bundle;
  /** age identities for an encrypted bundle; in memory only. Default none. */
  identities?: string[];
  /** Local folder for the journal, the lock and breadcrumbs (created 0700). Keep one per cluster. */
  workDirectory: string;
  /** Continue the unfinished restore journaled in `workDirectory` (killed, or stopped by `stopOnFailure`). Default false. */
  resume?: boolean;
  /** On a failed step, stop where it failed without undoing anything (for manual work). Default false: roll back. */
  stopOnFailure?: boolean;
  /** Typed progress events. Default none. */
  onProgress?: (event: RestoreProgressEvent) => void;
  signal?: AbortSignal;
  /** Executors by step kind. Default `restoreStepExecutors`. */
  executors?: Record<string, StepExecutor>;
  /** Recorded in the bundle's restore report. Default `unknown`. */
  toolVersion?: string;
  /**
   * For fault-injection tests only: called after each step is journaled as succeeded (e.g. to SIGKILL the
   * process there). Never set it in production code.
   */
  testAfterStep?: (stepId: string) => void | Promise<void>;
}

export type { FailedRestoreError, RestoreResult, RestoreStepResult } from './restore-result.js';

/**
 * Runs a restore plan: takes the work directory's lock, verifies the bundle, runs the steps in order
 * (adjacent steps of one `parallelGroup` concurrently) through the executors, journaling each start and end
 * atomically so `resume` continues after a kill (re-running the interrupted step, which is idempotent). When
 * a step fails, undoes what the completed steps and the failed one changed, in reverse order (unless
 * `stopOnFailure`), and throws an error saying where things stand. Appends a report to a directory bundle's
 * manifest (`restores`); a `.tar` bundle is not rewritten (the journal and the result still say it all).
 * @throws RestoreError `RESTORE_LOCKED`, `RESTORE_LOCK_STALE`, `RESTORE_JOURNAL_CONFLICT`,
 * `RESTORE_JOURNAL_INVALID`, `RESTORE_EXECUTOR_MISSING` (before anything changes), `RESTORE_STEP_FAILED`
 * (with `result`); BundleError when the bundle does not verify (before anything changes).
 */
export async function applyRestore(options: ApplyRestoreOptions): Promise<RestoreResult> {
  const started = Date.now();
  const { workDirectory } = options;
  await mkdir(workDirectory, { recursive: true, mode: 0o700 });
  const existing = await readRestoreJournal({ workDirectory });
  const plan = options.resume ? existing?.plan : options.plan;
  const unfinished = existing?.outcome === 'running' || existing?.outcome === 'failed';
  if (options.resume && !unfinished) {
    throw new RestoreError({
      code: 'RESTORE_JOURNAL_CONFLICT',
      object: workDirectory,
      message: existing
        ? `the last restore journaled in ${workDirectory} ended (${existing.outcome}); there is nothing to resume`
        : `there is no restore journal in ${workDirectory} to resume`,
      remedy: 'run without --resume to plan and apply a new restore (check --work-dir)',
    });
  }
  if (!plan) {
    throw new RestoreError({
      code: 'RESTORE_JOURNAL_INVALID',
      message: 'applyRestore needs a plan (or resume with a journal)',
      remedy: 'pass the plan from planRestore',
    });
  }
  const planId = planIdOf(plan);
  if (options.resume && options.plan && planIdOf(options.plan) !== planId) {
    throw new RestoreError({
      code: 'RESTORE_JOURNAL_INVALID',
      object: workDirectory,
      message: `the restore journaled in ${workDirectory} is of plan ${planId}, not of the plan given`,
      remedy: 'resume without a new plan (the journal holds the one being applied)',
    });
  }
  if (options.resume && existing && existing.bundlePath !== options.bundlePath) {
    throw new RestoreError({
      code: 'RESTORE_JOURNAL_INVALID',
      object: workDirectory,
      message: `the interrupted restore in ${workDirectory} restores bundle ${existing.bundlePath}, not ${options.bundlePath}`,
      remedy: `resume with --from ${existing.bundlePath}`,
    });
  }
  const executors = options.executors ?? restoreStepExecutors;
  const missing = plan.steps.filter((step) => !executors[step.kind]);
  if (missing.length > 0) {
    throw new RestoreError({
      code: 'RESTORE_EXECUTOR_MISSING',
      step: missing[0]!.id,
      message: `no executor for step kind ${[...new Set(missing.map((step) => step.kind))].join(', ')}`,
      remedy: 'this etcd-dr version cannot apply this plan; use the version that made it',
    });
  }

  const release = await acquireRestoreLock({
    workDirectory,
    planId,
    cluster: plan.cluster.name,
    takeOverStale: options.resume === true,
  });
  const connections: { admin?: Promise<KubeConnection>; user?: Promise<KubeConnection> } = {};
  const sshConnections = new Map<string, Promise<SshConnection>>();
  try {
    if (!options.resume && existing) {
      if (unfinished) {
        const at = Object.entries(existing.steps).find(([, step]) => step.status !== 'succeeded')?.[0];
        throw new RestoreError({
          code: 'RESTORE_JOURNAL_CONFLICT',
          object: workDirectory,
          message: `an unfinished restore of ${existing.plan.cluster.name} is journaled in ${workDirectory}${at ? ` (stopped at step ${at})` : ''}`,
          remedy: 'continue it with --resume, or look at the cluster and move the work directory away',
        });
      }
      await archiveRestoreJournal({ workDirectory, journal: existing });
    }

    const bundle = options.bundle ?? (await openVerifiedBundle(options.bundlePath));
    const now = new Date().toISOString();
    const run = { pid: process.pid, host: hostname(), startedAt: now };
    const journal: RestoreJournal =
      options.resume && existing
        ? { ...existing, outcome: 'running', runs: [...existing.runs, run] }
        : {
            journalVersion: 1,
            planId,
            bundlePath: options.bundlePath,
            plan,
            startedAt: now,
            updatedAt: now,
            outcome: 'running',
            steps: {},
            runs: [run],
          };
    const writer = new JournalWriter({ workDirectory, journal });
    await writer.update(() => undefined);

    const { config } = options;
    const signal = options.signal ?? new AbortController().signal;
    const emit = (event: RestoreProgressEvent) => {
      try {
        options.onProgress?.(event);
      } catch {
        // A progress handler must not break a restore.
      }
    };
    const context = (step: PlanStep): StepContext => ({
      config,
      bundle,
      identities: options.identities ?? [],
      adminKube: () => {
        connections.admin ??= connectKube({ kubeconfigPath: config.adminCluster.kubeconfig });
        return connections.admin;
      },
      userKube: () => {
        connections.user ??= connectKube({
          kubeconfigPath: config.userCluster.kubeconfig,
          requestTimeoutMs: 10_000,
        });
        return connections.user;
      },
      ssh: (nodeName) => {
        let connection = sshConnections.get(nodeName);
        if (!connection) {
          connection = connectConfigNode({
            config,
            nodeName,
            recordedHostKeys: bundle.manifest.hostKeys,
            signal,
          });
          sshConnections.set(nodeName, connection);
        }
        return connection;
      },
      workDirectory,
      outputs: Object.fromEntries(
        Object.entries(journal.steps).flatMap(([id, entry]) => (entry.outputs ? [[id, entry.outputs]] : [])),
      ),
      onProgress: (event) => emit({ kind: 'step-progress', ...event, stepId: event.stepId || step.id }),
      signal,
    });

    const stepResults = new Map<string, RestoreStepResult>();
    let failure: { step: PlanStep; error: unknown } | undefined;
    for (const batch of groupSteps(plan.steps)) {
      const results = await Promise.allSettled(
        batch.map(async (step) => {
          if (journal.steps[step.id]?.status === 'succeeded') {
            stepResults.set(step.id, { id: step.id, title: step.title, outcome: 'skipped', durationMs: 0 });
            emit({ kind: 'step', stepId: step.id, title: step.title, status: 'skipped' });
            return;
          }
          signal.throwIfAborted();
          const stepStarted = Date.now();
          await writer.step(step.id, { status: 'started', startedAt: new Date().toISOString() });
          emit({ kind: 'step', stepId: step.id, title: step.title, status: 'started' });
          try {
            const outputs = await executors[step.kind]!.apply(step, context(step));
            const durationMs = Date.now() - stepStarted;
            await writer.step(step.id, {
              status: 'succeeded',
              finishedAt: new Date().toISOString(),
              durationMs,
              ...(outputs ? { outputs } : {}),
            });
            stepResults.set(step.id, { id: step.id, title: step.title, outcome: 'succeeded', durationMs });
            emit({ kind: 'step', stepId: step.id, title: step.title, status: 'succeeded', durationMs });
          } catch (error) {
            const durationMs = Date.now() - stepStarted;
            await writer.step(step.id, {
              status: 'failed',
              finishedAt: new Date().toISOString(),
              durationMs,
              error: oneLineError(error),
            });
            stepResults.set(step.id, { id: step.id, title: step.title, outcome: 'failed', durationMs });
            emit({
              kind: 'step',
              stepId: step.id,
              title: step.title,
              status: 'failed',
              durationMs,
              detail: oneLineError(error),
            });
            throw error;
          }
          await options.testAfterStep?.(step.id);
        }),
      );
      const rejected = results.findIndex((result) => result.status === 'rejected');
      if (rejected >= 0) {
        failure = { step: batch[rejected]!, error: (results[rejected] as PromiseRejectedResult).reason };
        break;
      }
    }

    const warnings = [
      ...plan.warnings,
      ...Object.values(journal.steps).flatMap((entry) =>
        typeof entry.outputs?.warning === 'string' ? [entry.outputs.warning] : [],
      ),
    ];
    const finish = async (outcome: RestoreResult['outcome'], detail?: string): Promise<RestoreResult> => {
      await writer.update((value) => {
        value.outcome = outcome;
      });
      const bundleReport = await appendRestoreReport({
        bundle,
        report: {
          restoredAt: new Date().toISOString(),
          toolVersion: options.toolVersion ?? 'unknown',
          targetCluster: plan.cluster.name,
          outcome,
          detail: `plan ${planId}, journal ${writer.path}${detail ? `: ${detail}` : ''}`,
        },
      });
      if (bundleReport === 'failed')
        warnings.push(`could not append the restore report to ${bundle.path}/manifest.json`);
      return {
        outcome,
        planId,
        cluster: plan.cluster.name,
        revision: plan.bundle.revision,
        totalKeys: plan.bundle.totalKeys,
        durationMs: Date.now() - started,
        steps: plan.steps.map(
          (step) =>
            stepResults.get(step.id) ?? {
              id: step.id,
              title: step.title,
              outcome: journal.steps[step.id]?.status === 'undone' ? 'undone' : 'not-run',
              durationMs: 0,
            },
        ),
        members: membersOf(journal, plan),
        journalPath: writer.path,
        bundleReport,
        warnings,
      };
    };

    if (!failure) return await finish('succeeded');

    const cause = oneLineError(failure.error);
    if (signal.aborted) {
      throw withRestoreResult(
        new RestoreError({
          code: 'RESTORE_STEP_FAILED',
          step: failure.step.id,
          message: `the restore was interrupted at step ${failure.step.id}; nothing was undone`,
          remedy: 'run the same command with --resume to continue',
          cause: failure.error,
        }),
        undefined,
      );
    }
    const done = plan.steps
      .filter((step) => journal.steps[step.id]?.status === 'succeeded')
      .map((step) => step.id);
    if (options.stopOnFailure) {
      const result = await finish('failed', `stopped at ${failure.step.id}: ${cause}`);
      throw withRestoreResult(
        new RestoreError({
          code: 'RESTORE_STEP_FAILED',
          step: failure.step.id,
          message: `step ${failure.step.id} failed (${cause}); stopped there as asked, nothing undone; done before it: ${done.join(', ') || 'nothing'}`,
          remedy: `fix the cause, then run with --resume to retry ${failure.step.id}; or undo by hand (the plan lists each step's undo; the journal is ${writer.path})`,
          cause: failure.error,
        }),
        result,
      );
    }

    throw await rollBackSteps({
      steps: plan.steps,
      failure,
      writer,
      executors,
      context,
      onProgress: emit,
      stepResults,
      finish,
    });
  } finally {
    await Promise.allSettled(
      [...sshConnections.values()].map(async (connection) => (await connection).close()),
    );
    await release();
  }
}

async function openVerifiedBundle(path: string): Promise<Bundle> {
  const verification = await verifyBundle({ path });
  if (!verification.ok) throw verification.error;
  return verification.bundle;
}

function membersOf(journal: RestoreJournal, plan: RestorePlan): RestoreResult['members'] {
  for (const step of [...plan.steps].reverse()) {
    const members = journal.steps[step.id]?.outputs?.members;
    if (Array.isArray(members)) {
      return (members as Array<{ name: string; healthy: boolean; revision: number }>).map((member) => ({
        name: member.name,
        healthy: member.healthy,
        revision: member.revision,
      }));
    }
  }
  return plan.cluster.members.map((member) => ({ name: member.name, healthy: false, revision: 0 }));
}
