import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { EtcdDrError } from '@etcd-dr/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VerifyError } from '../verify-error.js';
import { type DiagnoseLineEvent, runGkectlDiagnose } from './run-gkectl-diagnose.js';

// Small shell scripts stand in for gkectl: they print the documented transcripts (fixtures/) the way a
// process does, through real pipes, with real exit codes, timing and process groups.

const fixturePath = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const fixtureLines = (name: string) => readFileSync(fixturePath(name), 'utf8').trimEnd().split('\n');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'etcd-dr-verify-gkectl-'));
});
afterEach(async () => {
  // Scripts record their pids in *.pid files; whatever a failed test left running dies here.
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.pid')) continue;
    const pid = Number(await readFile(join(dir, name), 'utf8'));
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Already gone, as it should be.
      }
    }
  }
  await rm(dir, { recursive: true, force: true });
});

async function fakeGkectl(body: string, name = 'gkectl'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/args"\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

async function caught(promise: Promise<unknown>): Promise<VerifyError> {
  try {
    await promise;
  } catch (error) {
    return error as VerifyError;
  }
  throw new Error('expected the call to reject');
}

/** A zombie counts as gone: it runs nothing and is only waiting for its parent to reap it. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntilGone(pids: number[]): Promise<number[]> {
  for (let attempt = 0; attempt < 40 && pids.some(isRunning); attempt++) await sleep(50);
  return pids.filter(isRunning);
}

describe('runGkectlDiagnose with a stand-in gkectl', () => {
  it('runs diagnose cluster with the documented flags, streams every line and reads a success', async () => {
    const gkectlPath = await fakeGkectl(`cat "${fixturePath('admin-cluster-success.txt')}"`);
    const events: DiagnoseLineEvent[] = [];
    const result = await runGkectlDiagnose({
      kubeconfig: '/secrets/admin.kubeconfig',
      clusterName: 'user-1',
      gkectlPath,
      extraArgs: ['--config', 'user-cluster.yaml'],
      timeoutMs: 20_000,
      onLine: (event) => events.push(event),
    });
    expect((await readFile(join(dir, 'args'), 'utf8')).trimEnd().split('\n')).toEqual([
      'diagnose',
      'cluster',
      '--kubeconfig',
      '/secrets/admin.kubeconfig',
      '--cluster-name',
      'user-1',
      '--config',
      'user-cluster.yaml',
    ]);
    expect(result.command.args).toEqual([
      'diagnose',
      'cluster',
      '--kubeconfig',
      '/secrets/admin.kubeconfig',
      '--cluster-name',
      'user-1',
      '--config',
      'user-cluster.yaml',
    ]);
    expect(events.map((event) => event.text)).toEqual(fixtureLines('admin-cluster-success.txt'));
    expect(events.every((event) => event.type === 'line' && event.stream === 'stdout')).toBe(true);
    expect(result.verdict).toBe('healthy');
    expect(result.exitCode).toBe(0);
    expect(result.exitSignal).toBeNull();
    expect(result.output.categories).toHaveLength(4);
    expect(result.durationMs).toBeGreaterThan(0);
    expect(result.report).toBeUndefined();
  });

  it('omits --cluster-name when diagnosing the admin cluster', async () => {
    const gkectlPath = await fakeGkectl(`cat "${fixturePath('admin-cluster-success.txt')}"`);
    await runGkectlDiagnose({ kubeconfig: 'admin.kubeconfig', gkectlPath, timeoutMs: 20_000 });
    expect((await readFile(join(dir, 'args'), 'utf8')).trimEnd().split('\n')).toEqual([
      'diagnose',
      'cluster',
      '--kubeconfig',
      'admin.kubeconfig',
    ]);
  });

  it('reads a failure transcript with exit 1, with the error part arriving on stderr', async () => {
    const gkectlPath = await fakeGkectl(
      [
        `head -n 12 "${fixturePath('vm-status-failure.txt')}"`,
        'sleep 0.2',
        `tail -n 2 "${fixturePath('vm-status-failure.txt')}" >&2`,
        'exit 1',
      ].join('\n'),
    );
    const events: DiagnoseLineEvent[] = [];
    const result = await runGkectlDiagnose({
      kubeconfig: 'admin.kubeconfig',
      gkectlPath,
      timeoutMs: 20_000,
      onLine: (event) => events.push(event),
    });
    expect(result.verdict).toBe('unhealthy');
    expect(result.exitCode).toBe(1);
    expect(result.output.failedChecks.map((check) => [check.name, check.reasons])).toEqual([
      ['Checking machine VMs', ['1 machine VMs error(s).']],
    ]);
    expect(result.output.errorSummary).toBe('Cluster is unhealthy!');
    expect(events.filter((event) => event.stream === 'stderr').map((event) => event.text)).toEqual([
      'Exit with error:',
      'Cluster is unhealthy!',
    ]);
    expect(result.reasons.at(-1)).toBe('gkectl exited with code 1');
  });

  it('calls exit 0 with "Cluster is unhealthy!" unhealthy', async () => {
    const gkectlPath = await fakeGkectl(`cat "${fixturePath('vm-status-failure.txt')}"\nexit 0`);
    const result = await runGkectlDiagnose({ kubeconfig: 'admin.kubeconfig', gkectlPath, timeoutMs: 20_000 });
    expect(result.exitCode).toBe(0);
    expect(result.verdict).toBe('unhealthy');
    expect(result.reasons).toContain('gkectl exited with code 0 although its output says unhealthy');
  });

  it('calls a non-zero exit with healthy text unknown, saying why', async () => {
    const gkectlPath = await fakeGkectl(`cat "${fixturePath('admin-cluster-success.txt')}"\nexit 3`);
    const result = await runGkectlDiagnose({ kubeconfig: 'admin.kubeconfig', gkectlPath, timeoutMs: 20_000 });
    expect(result.exitCode).toBe(3);
    expect(result.output.verdict).toBe('healthy');
    expect(result.verdict).toBe('unknown');
    expect(result.reasons[0]).toBe(
      'gkectl exited with code 3 although its output says "Cluster is healthy!"',
    );
  });

  it('kills a hanging gkectl and everything it started at the timeout, keeping what it printed', async () => {
    // The script ignores SIGTERM (and so does the child it starts), so only the SIGKILL escalation ends them.
    const gkectlPath = await fakeGkectl(
      [
        "trap '' TERM",
        `echo $$ > "${dir}/gkectl.pid"`,
        'sleep 300 &',
        `echo $! > "${dir}/child.pid"`,
        "echo 'Preparing for the diagnose tool...'",
        "echo '- Validation Category: Admin Cluster'",
        "echo 'Checking storage...SUCCESS'",
        'sleep 300',
      ].join('\n'),
    );
    const started = performance.now();
    const error = await caught(
      runGkectlDiagnose({ kubeconfig: 'admin.kubeconfig', gkectlPath, timeoutMs: 700, killGraceMs: 300 }),
    );
    const elapsed = performance.now() - started;
    const pids = [
      Number(await readFile(join(dir, 'gkectl.pid'), 'utf8')),
      Number(await readFile(join(dir, 'child.pid'), 'utf8')),
    ];
    expect(EtcdDrError.isInstance(error)).toBe(true);
    expect(error.code).toBe('VERIFY_GKECTL_TIMEOUT');
    expect(error.toLine()).toMatch(
      /^VERIFY_GKECTL_TIMEOUT: .*did not finish within 700 ms and was killed; raise the timeout/,
    );
    expect(error.isRetryable).toBe(true);
    expect(error.output?.progress).toEqual(['Preparing for the diagnose tool...']);
    expect(error.output?.categories[0]?.checks.map((check) => check.name)).toEqual(['Checking storage']);
    expect(elapsed).toBeLessThan(10_000);
    expect(await waitUntilGone(pids)).toEqual([]);
  }, 15_000);

  it('maps a missing binary to VERIFY_GKECTL_NOT_FOUND with the remedy', async () => {
    for (const gkectlPath of [join(dir, 'no-such-gkectl'), 'etcd-dr-no-such-gkectl-in-path']) {
      const error = await caught(
        runGkectlDiagnose({ kubeconfig: 'admin.kubeconfig', gkectlPath, timeoutMs: 5_000 }),
      );
      expect(EtcdDrError.isInstance(error)).toBe(true);
      expect(error.code).toBe('VERIFY_GKECTL_NOT_FOUND');
      expect(error.gkectlPath).toBe(gkectlPath);
      const line = error.toLine();
      expect(line).toContain(gkectlPath);
      expect(line).toContain('install gkectl');
      expect(line).toContain('--gkectl PATH');
      expect(line).toContain('native checks');
      expect(line).not.toContain('\n');
    }
  });

  it('maps a binary without execute permission to VERIFY_GKECTL_NOT_EXECUTABLE', async () => {
    const gkectlPath = await fakeGkectl('exit 0');
    await chmod(gkectlPath, 0o644);
    const error = await caught(
      runGkectlDiagnose({ kubeconfig: 'admin.kubeconfig', gkectlPath, timeoutMs: 5_000 }),
    );
    expect(error.code).toBe('VERIFY_GKECTL_NOT_EXECUTABLE');
  });

  it('delivers lines as they complete when output arrives slowly and split mid-line', async () => {
    const gkectlPath = await fakeGkectl(
      [
        "printf 'Preparing for the diagnose tool...\\n- Validation Category: Admin Clu'",
        'sleep 0.3',
        "printf 'ster\\nChecking VMs TOD (avail'",
        'sleep 0.3',
        "printf 'ability)...SUCCESS\\n'",
        'sleep 0.3',
        // The last line has no newline at all.
        "printf 'All validation results were SUCCESS.\\nCluster is healthy!'",
      ].join('\n'),
    );
    const events: DiagnoseLineEvent[] = [];
    const result = await runGkectlDiagnose({
      kubeconfig: 'admin.kubeconfig',
      gkectlPath,
      timeoutMs: 20_000,
      onLine: (event) => events.push(event),
    });
    expect(events.map((event) => event.text)).toEqual([
      'Preparing for the diagnose tool...',
      '- Validation Category: Admin Cluster',
      'Checking VMs TOD (availability)...SUCCESS',
      'All validation results were SUCCESS.',
      'Cluster is healthy!',
    ]);
    // The first line was delivered while gkectl was still running, not collected at the end.
    expect(result.durationMs - events[0]!.elapsedMs).toBeGreaterThan(600);
    expect(events[2]!.elapsedMs).toBeGreaterThan(events[0]!.elapsedMs + 400);
    expect(result.verdict).toBe('healthy');
    expect(result.output.categories[0]!.name).toBe('Admin Cluster');
  });

  it('reads the JSON report the output names, relative to the working directory, and keeps it raw', async () => {
    const gkectlPath = await fakeGkectl(
      [
        `echo '{"clusterName":"user-1","results":[{"name":"storage","ok":true}]}' > diagnose-report.json`,
        `head -n 2 "${fixturePath('user-cluster-success-with-report.txt')}"`,
        'echo "Diagnose result is saved successfully in diagnose-report.json"',
        `tail -n +4 "${fixturePath('user-cluster-success-with-report.txt')}"`,
      ].join('\n'),
    );
    const result = await runGkectlDiagnose({
      kubeconfig: 'admin.kubeconfig',
      gkectlPath,
      cwd: dir,
      timeoutMs: 20_000,
    });
    expect(result.verdict).toBe('healthy');
    expect(result.report).toEqual({
      status: 'read',
      path: join(dir, 'diagnose-report.json'),
      report: {
        format: 'undocumented',
        data: { clusterName: 'user-1', results: [{ name: 'storage', ok: true }] },
      },
    });
  });

  it('says when the named report is missing or not JSON, without failing the run', async () => {
    const missing = await fakeGkectl(
      'echo "Diagnose result is saved successfully in gone.json"',
      'gkectl-missing',
    );
    const missingResult = await runGkectlDiagnose({
      kubeconfig: 'admin.kubeconfig',
      gkectlPath: missing,
      cwd: dir,
      timeoutMs: 20_000,
    });
    expect(missingResult.report).toEqual({ status: 'missing', path: join(dir, 'gone.json') });
    expect(missingResult.verdict).toBe('unknown');

    const invalid = await fakeGkectl(
      `echo 'not json' > "${dir}/bad.json"\necho "Diagnose result is saved successfully in ${dir}/bad.json"`,
      'gkectl-invalid',
    );
    const invalidResult = await runGkectlDiagnose({
      kubeconfig: 'admin.kubeconfig',
      gkectlPath: invalid,
      timeoutMs: 20_000,
    });
    expect(invalidResult.report?.status).toBe('invalid');
    expect(invalidResult.report).toMatchObject({ path: join(dir, 'bad.json') });
  });

  it('stops gkectl when the signal aborts, and does not start it when already aborted', async () => {
    const gkectlPath = await fakeGkectl(
      [`echo $$ > "${dir}/gkectl.pid"`, "echo 'Preparing for the diagnose tool...'", 'sleep 300'].join('\n'),
    );
    const controller = new AbortController();
    const error = await caught(
      runGkectlDiagnose({
        kubeconfig: 'admin.kubeconfig',
        gkectlPath,
        timeoutMs: 60_000,
        signal: controller.signal,
        onLine: () => controller.abort(new Error('user pressed Ctrl-C')),
      }),
    );
    const pid = Number(await readFile(join(dir, 'gkectl.pid'), 'utf8'));
    expect(error.code).toBe('VERIFY_GKECTL_ABORTED');
    expect(await waitUntilGone([pid])).toEqual([]);

    await rm(join(dir, 'args'));
    const before = await caught(
      runGkectlDiagnose({
        kubeconfig: 'admin.kubeconfig',
        gkectlPath,
        timeoutMs: 60_000,
        signal: controller.signal,
      }),
    );
    expect(before.code).toBe('VERIFY_GKECTL_ABORTED');
    await expect(readFile(join(dir, 'args'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 15_000);

  it('stops gkectl and rethrows when the line listener throws', async () => {
    const gkectlPath = await fakeGkectl(
      [`echo $$ > "${dir}/gkectl.pid"`, "echo 'Preparing for the diagnose tool...'", 'sleep 300'].join('\n'),
    );
    const listenerError = new Error('progress bar broke');
    const error = await caught(
      runGkectlDiagnose({
        kubeconfig: 'admin.kubeconfig',
        gkectlPath,
        timeoutMs: 60_000,
        killGraceMs: 300,
        onLine: () => {
          throw listenerError;
        },
      }),
    );
    expect(error).toBe(listenerError);
    const pid = Number(await readFile(join(dir, 'gkectl.pid'), 'utf8'));
    expect(await waitUntilGone([pid])).toEqual([]);
  }, 15_000);

  it('rejects bad options in one line before starting anything', async () => {
    const gkectlPath = await fakeGkectl('exit 0');
    const error = await caught(runGkectlDiagnose({ kubeconfig: ' ', gkectlPath, timeoutMs: 0 }));
    expect(error.code).toBe('VERIFY_OPTIONS_INVALID');
    expect(error.toLine()).toMatch(/kubeconfig must be the path.*timeoutMs must be a positive number/);
    await expect(readFile(join(dir, 'args'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
