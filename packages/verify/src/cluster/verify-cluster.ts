import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EtcdDrError } from '@etcd-dr/sdk';
import type { DiagnoseVerdict } from '../gkectl/diagnose-output.js';
import { type DiagnoseLineEvent, runGkectlDiagnose } from '../gkectl/run-gkectl-diagnose.js';
import { failed, type NativeCheck, passed, skipped } from '../native/native-check.js';
import {
  type NativeVerification,
  type RunNativeChecksOptions,
  runNativeChecks,
} from '../native/run-native-checks.js';
import { findExecutable } from './find-executable.js';

/** How gkectl is used by {@link verifyCluster}. */
export interface GkectlOptions {
  /** Do not run gkectl. Default false. */
  skip?: boolean;
  /** The gkectl binary. Default: `gkectl` from PATH when there is one, else gkectl is skipped. */
  path?: string;
  /** Limit of one `gkectl diagnose cluster` run. Default 900 000 ms (15 minutes). */
  timeoutMs?: number;
  /** Receives every line gkectl prints. Default: none. */
  onLine?: (event: DiagnoseLineEvent) => void;
  /** The search path for `gkectl` when no `path` is given. Default `process.env.PATH`. */
  searchPath?: string;
}

/** Options of {@link verifyCluster}. */
export interface VerifyClusterOptions extends RunNativeChecksOptions {
  gkectl?: GkectlOptions;
}

/** What happened with gkectl. */
export type GkectlOutcome =
  | { status: 'skipped'; reason: string }
  | {
      status: 'ran';
      path: string;
      verdict: DiagnoseVerdict;
      reasons: string[];
      exitCode: number | null;
      durationMs: number;
      /** Failed checks as gkectl printed them. */
      failedChecks: { name: string; reasons: string[] }[];
      /** Lines matching no documented shape, as printed. */
      unparsedLines: string[];
    }
  | { status: 'error'; path: string; code: string; message: string };

/** The verdict of {@link verifyCluster} and everything it was based on. */
export interface ClusterVerification extends NativeVerification {
  /** `healthy` when no check failed: the native ones and gkectl's when it ran. */
  verdict: 'healthy' | 'unhealthy';
  gkectl: GkectlOutcome;
  durationMs: number;
}

/**
 * Verifies a user cluster: `gkectl diagnose cluster` when gkectl is available (else says it was skipped and
 * why), and the native checks (see `runNativeChecks`), concurrently. gkectl counts as a check named
 * `gkectl-diagnose`: passed only when it says healthy; a gkectl that says unhealthy, prints what cannot be
 * read, hangs past its timeout or cannot start fails it, since health was not shown.
 * @throws what `runNativeChecks` throws for bad input (kubeconfig, topology).
 */
export async function verifyCluster(options: VerifyClusterOptions): Promise<ClusterVerification> {
  const started = Date.now();
  const [native, gkectl] = await Promise.all([runNativeChecks(options), runGkectl(options)]);
  const gkectlCheck = gkectlAsCheck(gkectl);
  const checks = [...native.checks, gkectlCheck];
  const healthy = checks.every((check) => check.outcome !== 'failed');
  return {
    ...native,
    healthy,
    checks,
    verdict: healthy ? 'healthy' : 'unhealthy',
    gkectl,
    durationMs: Date.now() - started,
  };
}

async function runGkectl(options: VerifyClusterOptions): Promise<GkectlOutcome> {
  const settings = options.gkectl ?? {};
  if (settings.skip) return { status: 'skipped', reason: 'skipped on request (--skip-gkectl)' };
  // gkectl runs in a private folder: paths relative to this process must not change meaning there.
  const given = settings.path?.includes('/') ? resolve(settings.path) : settings.path;
  const path =
    given ??
    (await findExecutable({
      name: 'gkectl',
      ...(settings.searchPath === undefined ? {} : { path: settings.searchPath }),
    }));
  if (path === undefined) {
    return {
      status: 'skipped',
      reason: 'gkectl is not in PATH (it ships on the GDC admin workstation); pass --gkectl PATH to run it',
    };
  }
  // gkectl writes its report into its working directory: a private one, removed once the report was read.
  const workDirectory = await mkdtemp(join(tmpdir(), 'etcd-dr-gkectl-'));
  try {
    const result = await runGkectlDiagnose({
      kubeconfig: resolve(options.config.adminCluster.kubeconfig),
      clusterName: options.config.userCluster.name,
      gkectlPath: path,
      cwd: workDirectory,
      timeoutMs: settings.timeoutMs ?? 900_000,
      ...(settings.onLine ? { onLine: settings.onLine } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return {
      status: 'ran',
      path,
      verdict: result.verdict,
      reasons: result.reasons,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      failedChecks: result.output.failedChecks.map((check) => ({ name: check.name, reasons: check.reasons })),
      unparsedLines: result.output.unparsed.map((line) => line.text),
    };
  } catch (error) {
    if (!EtcdDrError.isInstance(error)) throw error;
    return { status: 'error', path, code: error.code, message: error.message };
  } finally {
    await rm(workDirectory, { recursive: true, force: true });
  }
}

function gkectlAsCheck(outcome: GkectlOutcome): NativeCheck {
  switch (outcome.status) {
    case 'skipped':
      return skipped('gkectl-diagnose', outcome.reason);
    case 'error':
      return failed('gkectl-diagnose', `${outcome.code}: ${outcome.message}`);
    case 'ran':
      if (outcome.verdict === 'healthy') return passed('gkectl-diagnose', ...outcome.reasons);
      return failed(
        'gkectl-diagnose',
        ...(outcome.verdict === 'unknown'
          ? [`gkectl's output does not say whether the cluster is healthy`]
          : []),
        ...outcome.reasons,
        ...(outcome.verdict === 'unknown' && outcome.unparsedLines.length > 0
          ? [
              `${outcome.unparsedLines.length} line(s) of unrecognised output, first: ${JSON.stringify(outcome.unparsedLines[0])}`,
            ]
          : []),
      );
  }
}
