import { access, chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, runCli } from '../test-support/run-cli.js';

describe('etcd-dr sandbox (as root, real lab)', () => {
  let base: string;
  let dir: string;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-cli-sandbox-'));
    dir = join(base, 'lab');
  });
  afterAll(async () => {
    await runCli(['sandbox', 'down', '--dir', dir]);
    await rm(base, { recursive: true, force: true });
  });

  it('starts a lab in the background, reports it, breaks it and removes it', async () => {
    const up = await runCli(['sandbox', 'up', '--dir', dir, '--json']);
    expect(up.stderr).toBe('');
    expect(up.stdout.trim().split('\n')).toHaveLength(1);
    expect(up.code).toBe(0);
    const started = JSON.parse(up.stdout) as { ok: boolean; config: string; userKubeconfig: string };
    expect(started).toMatchObject({ ok: true, config: join(dir, 'etcd-dr.yaml') });
    expect(await readFile(started.config, 'utf8')).toContain('topology: kubeception');

    const status = await runCli(['sandbox', 'status', '--dir', dir]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/user cluster API: up on 127\.0\.0\.1:\d+/);
    expect(status.stdout).toMatch(/user-cluster-1\/kube-etcd-0: Running, Ready, restarts 0/);

    const again = await runCli(['sandbox', 'up', '--dir', dir]);
    expectOneLineError(again, 'SANDBOX_LAB_EXISTS');

    const missingMember = await runCli(['sandbox', 'break', '--dir', dir, '--members', '2']);
    expectOneLineError(missingMember, 'SANDBOX_POD_INVALID');
    expect(missingMember.stderr).toContain('member 2 does not exist');
    const badList = await runCli(['sandbox', 'break', '--dir', dir, '--members', 'zero']);
    expect(badList.code).toBe(2);
    expect(badList.stderr).toContain("option '--members <list>' argument 'zero' is invalid");

    expect((await runCli(['sandbox', 'break', '--dir', dir, '--members', '0'])).code).toBe(0);

    const down = await runCli(['sandbox', 'down', '--dir', dir, '--json']);
    expect(down.code).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({ ok: true, found: true, supervisorWasRunning: true });
    await expect(access(dir)).rejects.toThrow(/ENOENT/);
    const gone = await runCli(['sandbox', 'status', '--dir', dir]);
    expect(gone).toMatchObject({ code: 3, stdout: `no lab in ${dir}\n` });
    expect((await runCli(['sandbox', 'down', '--dir', dir])).stdout).toBe(
      `no lab in ${dir}; nothing to do\n`,
    );
  });

  it('says what is missing when not run as root, and creates nothing', async () => {
    await chmod(base, 0o777);
    const result = await runCli(['sandbox', 'up', '--dir', join(base, 'as-nobody')], { asUser: 'nobody' });
    expectOneLineError(result, 'SANDBOX_NOT_ROOT');
    await expect(access(join(base, 'as-nobody'))).rejects.toThrow(/ENOENT/);
  });
});
