import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { backupCluster, type ClusterConfig, loadClusterConfig } from '@etcd-dr/sdk';
import {
  type ClusterVerification,
  createSdkDrillRestore,
  type DrillReport,
  readBundleInventory,
  runDrill,
  runNativeChecks,
} from '@etcd-dr/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, runCli } from '../packages/cli/src/test-support/run-cli.js';
import { runKubectl } from '../packages/sandbox/src/apiserver/test-support/run-kubectl.js';
import { waitFor } from '../packages/sandbox/src/apiserver/test-support/start-test-api-server.js';
import { type Sandbox, startSandbox } from '../packages/sandbox/src/lab/start-sandbox.js';

const systemPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

describe('native checks and etcd-dr verify on a Kubeception lab (non-HA): healthy, against a bundle, broken, restored', () => {
  let base: string;
  let lab: Sandbox;
  let config: ClusterConfig;
  let bundlePath: string;
  let configmapsInBundle: number;
  const user = (args: string[]) => runKubectl({ kubeconfig: lab.userKubeconfig, args });
  const fakeGkectl = async (name: string, body: string) => {
    const path = join(base, name);
    await writeFile(path, `#!/bin/sh\n${body}\n`);
    await chmod(path, 0o755);
    return path;
  };

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-verify-'));
    lab = await startSandbox({ topology: 'kubeception', dir: join(base, 'lab'), attached: true });
    config = await loadClusterConfig({ path: lab.config });
    expect((await user(['create', 'configmap', 'in-the-backup', '--from-literal=a=1'])).exitCode).toBe(0);
    const backup = await backupCluster({ config, outputDirectory: join(base, 'bundles') });
    bundlePath = backup.path;
    const inventory = await readBundleInventory({ bundlePath });
    configmapsInBundle =
      inventory.snapshot.resources.find((resource) => resource.resource === 'configmaps')?.namespaces
        .default ?? 0;
    expect(configmapsInBundle).toBeGreaterThan(0);
    expect((await user(['create', 'configmap', 'created-after-backup', '--from-literal=b=2'])).exitCode).toBe(
      0,
    );
  });
  afterAll(async () => {
    await lab?.stop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('finds a healthy cluster, and the configmap created after the backup in the inventory diff', async () => {
    const against = await readBundleInventory({ bundlePath });
    const native = await runNativeChecks({ config, against });
    expect(native.checks.map((check) => [check.name, check.outcome])).toEqual([
      ['etcd-members-healthy', 'passed'],
      ['etcd-members-agree', 'passed'],
      ['control-plane-pods-ready', 'passed'],
      ['user-api-answers', 'passed'],
    ]);
    expect(native.healthy).toBe(true);
    expect(native.cluster).toEqual({ name: 'user-cluster-1', topology: 'kubeception', ha: false });
    expect(native.members).toHaveLength(1);
    expect(native.members[0]).toMatchObject({
      pod: 'kube-etcd-0',
      healthy: true,
      isLeader: true,
      version: '3.4.23',
    });
    expect(native.inventory?.livePod).toBe('kube-etcd-0');
    expect(native.inventory?.diff).toContainEqual({
      resource: 'configmaps',
      namespace: 'default',
      bundle: configmapsInBundle,
      live: configmapsInBundle + 1,
    });
    expect(native.inventory?.diff.filter((row) => row.resource === 'configmaps')).toHaveLength(1);
    expect(native.warnings).toEqual([]);
  });

  it('etcd-dr verify --against runs the lab gkectl and the native checks, prints the diff, exits 0', async () => {
    const result = await runCli(['verify', '--config', lab.config, '--against', bundlePath], {
      env: { PATH: `${join(lab.dir, 'bin')}:${systemPath}` },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^user-cluster-1 \(kubeception, non-HA\): HEALTHY\n/);
    expect(result.stdout).toMatch(/ {2}PASS {2}gkectl-diagnose +gkectl printed "Cluster is healthy!"/);
    expect(result.stdout).toMatch(
      / {2}PASS {2}etcd-members-agree +cluster ID [0-9a-f]+, revisions \d+ across 1 member/,
    );
    expect(result.stdout).toMatch(
      new RegExp(`\\n {2}configmaps +default +${configmapsInBundle} +${configmapsInBundle + 1} +\\+1\\n`),
    );
    // Names and counts only: no value of the configmaps (or anything else) is printed.
    expect(result.stdout).not.toContain('b=2');

    const json = await runCli([
      'verify',
      '--config',
      lab.config,
      '--against',
      bundlePath,
      '--skip-gkectl',
      '--json',
    ]);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as ClusterVerification & { ok: boolean };
    expect(parsed).toMatchObject({ ok: true, verdict: 'healthy', gkectl: { status: 'skipped' } });
    expect(parsed.inventory?.diff).toContainEqual({
      resource: 'configmaps',
      namespace: 'default',
      bundle: configmapsInBundle,
      live: configmapsInBundle + 1,
    });
  });

  it('compares with an age-encrypted bundle given --identity, leaving no decrypted copy behind', async () => {
    const identityFile = join(base, 'identity.txt');
    await promisify(execFile)('age-keygen', ['-o', identityFile]);
    const recipient = (await readFile(identityFile, 'utf8')).match(/public key: (age1\w+)/)?.[1];
    expect(recipient).toBeDefined();
    const encrypted = await backupCluster({
      config,
      outputDirectory: join(base, 'encrypted'),
      recipients: [recipient!],
    });
    expect(encrypted.manifest.files.find((file) => file.role === 'snapshot')?.path).toBe('snapshot.db.age');
    const temporary = join(base, 'tmp');
    await mkdir(temporary);
    const result = await runCli(
      [
        'verify',
        '--config',
        lab.config,
        '--against',
        encrypted.path,
        '--identity',
        identityFile,
        '--skip-gkectl',
      ],
      { env: { TMPDIR: temporary } },
    );
    expect(result.code).toBe(0);
    // This bundle was taken after created-after-backup: the configmaps match it.
    expect(result.stdout).toMatch(/inventory: bundle .*encrypted.* vs live/);
    expect(result.stdout).not.toMatch(/\n {2}configmaps +default/);
    expect(await readdir(temporary)).toEqual([]);
    expectOneLineError(
      await runCli(['verify', '--config', lab.config, '--against', encrypted.path, '--skip-gkectl']),
      'VERIFY_OPTIONS_INVALID',
    );
  });

  it('says gkectl was skipped when it is not in PATH, and fails clearly when it is missing, hangs or prints garbage', async () => {
    const skipped = await runCli(['verify', '--config', lab.config], { env: { PATH: systemPath } });
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toMatch(/ {2}SKIP {2}gkectl-diagnose +gkectl is not in PATH .*pass --gkectl PATH/);

    const missing = await runCli(['verify', '--config', lab.config, '--gkectl', join(base, 'no-gkectl')]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/UNHEALTHY\n/);
    expect(missing.stdout).toMatch(
      / {2}FAIL {2}gkectl-diagnose +VERIFY_GKECTL_NOT_FOUND: gkectl not found: .*no-gkectl/,
    );
    expect(missing.stdout).toMatch(/ {2}PASS {2}etcd-members-healthy/);

    const hanging = await fakeGkectl(
      'gkectl-hangs',
      'echo "Preparing for the diagnose tool..."\nexec sleep 60',
    );
    const started = Date.now();
    const hung = await runCli([
      'verify',
      '--config',
      lab.config,
      '--gkectl',
      hanging,
      '--gkectl-timeout',
      '1',
    ]);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(hung.code).toBe(1);
    expect(hung.stdout).toMatch(
      / {2}FAIL {2}gkectl-diagnose +VERIFY_GKECTL_TIMEOUT: .* did not finish within 1000 ms/,
    );

    const garbage = await fakeGkectl(
      'gkectl-garbage',
      "echo 'all good, trust me'\nprintf '\\001\\002\\n'\nexit 0",
    );
    const confused = await runCli(['verify', '--config', lab.config, '--gkectl', garbage, '--json']);
    expect(confused.code).toBe(1);
    const parsed = JSON.parse(confused.stdout) as ClusterVerification;
    expect(parsed.verdict).toBe('unhealthy');
    expect(parsed.gkectl).toMatchObject({ status: 'ran', verdict: 'unknown', exitCode: 0 });
    expect(parsed.checks.find((check) => check.name === 'gkectl-diagnose')?.reasons).toEqual(
      expect.arrayContaining([
        "gkectl's output does not say whether the cluster is healthy",
        '2 line(s) of unrecognised output, first: "all good, trust me"',
      ]),
    );
    expect(parsed.checks.filter((check) => check.outcome === 'failed').map((check) => check.name)).toEqual([
      'gkectl-diagnose',
    ]);
  });

  it('refuses bad input with one typed line', async () => {
    expectOneLineError(
      await runCli(['verify', '--config', lab.config, '--against', join(base, 'no-bundle')]),
      'BUNDLE_NOT_FOUND',
    );
    expectOneLineError(await runCli(['verify', '--config', join(base, 'nope.yaml')]), 'CONFIG_NOT_FOUND');
    expectOneLineError(
      await runCli(['verify', '--config', lab.config, '--gkectl', 'x', '--skip-gkectl']),
      'VERIFY_OPTIONS_INVALID',
    );
    expectOneLineError(await runCli(['drill', '--config', lab.config]), 'VERIFY_DRILL_OPTIONS_INVALID');
  });

  it('etcd-dr drill --config --from checks first, restores with the real engine, and proves the bundle', async () => {
    const result = await runCli([
      'drill',
      '--config',
      lab.config,
      '--from',
      bundlePath,
      '--skip-gkectl',
      '--json',
      '--report-dir',
      join(base, 'reports'),
    ]);
    const report = JSON.parse(result.stdout) as DrillReport;
    expect(report.failures).toEqual([]);
    expect(result.code).toBe(0);
    expect(report.verdict).toBe('passed');
    expect(report.steps.map((step) => [step.name, step.outcome])).toEqual([
      ['read-bundle', 'succeeded'],
      ['pre-check', 'succeeded'],
      ['restore', 'succeeded'],
      ['verify', 'succeeded'],
      ['compare-inventory', 'succeeded'],
    ]);
    expect(report.restore?.revision).toBeGreaterThanOrEqual(report.backup?.revision ?? Number.MAX_VALUE);
    expect(result.stderr).toMatch(
      /drill: pre-check succeeded \(.+\): the cluster verified healthy before the restore\n/,
    );
    expect(result.stderr).toMatch(
      /drill: report written to .*reports\/drill-user-cluster-1-.*\.json and .*\.md\n/,
    );
    // The restore rolled the cluster back to the bundle: the configmap made after the backup is gone.
    const names = await user(['get', 'configmaps', '-o', 'jsonpath={.items[*].metadata.name}']);
    expect(names.stdout.split(' ')).toContain('in-the-backup');
    expect(names.stdout.split(' ')).not.toContain('created-after-backup');
  });

  it('finds the broken cluster unhealthy, naming the member, and exits 1', async () => {
    await lab.breakMembers([0]);
    const native = await waitFor(
      async () => {
        const checked = await runNativeChecks({ config, requestTimeoutMs: 5_000 });
        return checked.checks.every((check) => check.outcome === 'failed') ? checked : undefined;
      },
      60_000,
      'every native check to fail',
    );
    expect(native.healthy).toBe(false);
    expect(native.checks.find((check) => check.name === 'etcd-members-healthy')?.reasons).toEqual([
      '0 of 1 member(s) healthy',
      expect.stringMatching(/^kube-etcd-0: cannot exec etcdctl in container kube-etcd: /),
    ]);
    expect(native.checks.find((check) => check.name === 'control-plane-pods-ready')?.reasons).toEqual([
      expect.stringMatching(/^kube-etcd-0 is not Ready \((CrashLoopBackOff|Running|Error)/),
    ]);
    const result = await runCli([
      'verify',
      '--config',
      lab.config,
      '--gkectl',
      join(lab.dir, 'bin', 'gkectl'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^user-cluster-1 \(kubeception, non-HA\): UNHEALTHY\n/);
    expect(result.stdout).toMatch(/ {2}FAIL {2}gkectl-diagnose +gkectl printed "Cluster is unhealthy!"/);
  });

  it('a target drill stops before restoring into the unhealthy cluster, and restores it when allowed', async () => {
    const calls: string[] = [];
    const refused = await runDrill({
      mode: 'target',
      configPath: lab.config,
      bundlePath,
      gkectl: { skip: true },
      restore: async (args) => {
        calls.push(args.bundlePath);
        return { revision: 0, durationMs: 0 };
      },
    });
    expect(calls).toEqual([]);
    expect(refused.verdict).toBe('failed');
    expect(refused.steps.map((step) => [step.name, step.outcome])).toEqual([
      ['read-bundle', 'succeeded'],
      ['pre-check', 'failed'],
      ['restore', 'skipped'],
      ['verify', 'skipped'],
      ['compare-inventory', 'skipped'],
    ]);
    expect(refused.failures[0]).toMatch(
      /^pre-check: the cluster is unhealthy before the drill, so nothing was restored \(etcd-members-healthy: /,
    );

    const restored = await runDrill({
      mode: 'target',
      configPath: lab.config,
      bundlePath,
      allowUnhealthy: true,
      gkectl: { path: join(lab.dir, 'bin', 'gkectl') },
      restore: createSdkDrillRestore(),
    });
    expect(restored.failures).toEqual([]);
    expect(restored.verdict).toBe('passed');
    expect(restored.steps.find((step) => step.name === 'pre-check')?.detail).toMatch(
      /restoring anyway as allowed/,
    );
    expect(restored.restore?.revision).toBe(restored.backup?.revision);
    // created-after-backup is gone: the configmaps match the bundle again.
    expect(restored.inventoryDiff.filter((row) => row.resource === 'configmaps')).toEqual([]);
    const names = await user(['get', 'configmaps', '-o', 'jsonpath={.items[*].metadata.name}']);
    expect(names.stdout.split(' ')).toContain('in-the-backup');
    expect(names.stdout.split(' ')).not.toContain('created-after-backup');
  });
});
