import { access, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DrillReport } from '@etcd-dr/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/run-cli.js';

// On this branch `drill-restore.ts` refuses (no restore engine yet): the drill must say so as a failed restore
// step after a real backup and break, and still remove its lab. When applyRestore is wired in, this drill
// passes and this test is updated to expect it.
describe('etcd-dr drill --sandbox (real lab)', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-cli-drill-'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('runs the sandbox drill up to the restore, writes both reports, exits 1 and removes the lab', async () => {
    const reports = join(base, 'reports');
    const result = await runCli(['drill', '--sandbox', 'kubeception', '--report-dir', reports]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^# etcd-dr drill: FAILED\n/);
    expect(result.stdout).toContain('| restore | **FAILED** |');
    expect(result.stdout).toContain('Not compared (compare-inventory skipped: an earlier step failed).');
    expect(result.stdout).toMatch(
      /- restore: VERIFY_RESTORE_UNAVAILABLE: this etcd-dr build has no restore engine/,
    );
    expect(result.stderr).toMatch(/^drill: start-sandbox \.\.\.\n/);
    expect(result.stderr).toMatch(/drill: backup succeeded \(.+\): bundle /);
    expect(result.stderr).toMatch(/drill: stop-sandbox succeeded \(.+\): lab stopped and removed\n/);
    const files = (await readdir(reports)).sort();
    expect(files).toEqual([
      expect.stringMatching(/^drill-user-cluster-1-.*\.json$/),
      expect.stringMatching(/\.md$/),
    ]);
    const report = JSON.parse(await readFile(join(reports, files[0]!), 'utf8')) as DrillReport;
    expect(report.steps.map((step) => `${step.name}:${step.outcome}`)).toEqual([
      'start-sandbox:succeeded',
      'create-probes-before:succeeded',
      'backup:succeeded',
      'create-probes-after:succeeded',
      'break-cluster:succeeded',
      'restore:failed',
      'verify:skipped',
      'check-probes:skipped',
      'compare-inventory:skipped',
      'stop-sandbox:succeeded',
    ]);
    expect(await readFile(join(reports, files[1]!), 'utf8')).toBe(result.stdout);
    const labDir = report.steps[0]?.detail?.replace(/^lab in /, '') ?? '';
    expect(labDir).toMatch(/etcd-dr-drill-.*\/lab$/);
    await expect(access(labDir)).rejects.toThrow(/ENOENT/);
  });
});
