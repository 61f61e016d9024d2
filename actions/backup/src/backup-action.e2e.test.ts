import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  type ActionRun,
  type ResultsService,
  runAction,
  startResultsService,
} from '@etcd-dr/actions-test-support';
import { type Sandbox, startSandbox } from '@etcd-dr/sandbox';
import { verifyBundle } from '@etcd-dr/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const backupEntry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const drillEntry = fileURLToPath(new URL('../../restore-drill/dist/index.js', import.meta.url));
const exampleProgram = fileURLToPath(
  new URL('../../../examples/sdk-program/dist/back-up-and-list.js', import.meta.url),
);

describe('the bundled backup action on a Kubeception lab, uploading through the results service stand-in', () => {
  let base: string;
  let lab: Sandbox;
  let service: ResultsService;
  let recipient: string;
  let adminKubeconfig: string;
  let userKubeconfig: string;
  const runs: ActionRun[] = [];
  const run = async (options: Parameters<typeof runAction>[0]) => {
    const result = await runAction(options);
    runs.push(result);
    return result;
  };

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-action-backup-'));
    service = await startResultsService();
    lab = await startSandbox({ topology: 'kubeception', dir: join(base, 'lab'), attached: true });
    await execFileAsync('age-keygen', ['-o', join(base, 'age.key')]);
    recipient = (await execFileAsync('age-keygen', ['-y', join(base, 'age.key')])).stdout.trim();
    adminKubeconfig = await readFile(lab.adminKubeconfig, 'utf8');
    userKubeconfig = await readFile(lab.userKubeconfig, 'utf8');
  });
  afterAll(async () => {
    for (const result of runs) await result.remove();
    await lab?.stop();
    await service?.stop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('backs up encrypted, uploads one NAME.tar whose blob digest is the bundle digest, and sets outputs and summary', async () => {
    const jobRun = service.createRun();
    const result = await run({
      entry: backupEntry,
      inputs: {
        config: lab.config,
        'admin-kubeconfig': adminKubeconfig,
        recipients: `# the team key\n${recipient}\n`,
        'artifact-name': 'user-cluster-1-nightly',
        'retention-days': '30',
      },
      env: { ...jobRun.env, GITHUB_RETENTION_DAYS: '10' },
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode, result.stdout).toBe(0);
    const { outputs } = result;
    expect(outputs['artifact-name']).toBe('user-cluster-1-nightly.tar');
    expect(outputs.encrypted).toBe('true');

    const [stored] = service.artifacts();
    expect(String(stored!.id)).toBe(outputs['artifact-id']);
    expect(stored!.name).toBe('user-cluster-1-nightly.tar');
    const blob = await service.readBlob({ id: stored!.id });
    const blobDigest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    expect(outputs['bundle-digest']).toBe(blobDigest);
    expect(stored!.digest).toBe(blobDigest);
    expect(outputs.size).toBe(String(blob.length));

    const tar = join(base, 'uploaded.tar');
    await writeFile(tar, blob);
    const verification = await verifyBundle({ path: tar });
    expect(verification.ok).toBe(true);
    const { manifest } = verification.bundle;
    expect(outputs.revision).toBe(String(manifest.snapshot.revision));
    expect(outputs['total-keys']).toBe(String(manifest.snapshot.totalKeys));
    expect(manifest.tool.name).toBe('@etcd-dr/action-backup');
    const paths = manifest.files.map((file) => file.path);
    expect(paths).toContain('snapshot.db.age');
    expect(paths).not.toContain('snapshot.db');
    const decrypted = join(base, 'snapshot.db');
    const snapshot = await verification.bundle.locateFile({ path: 'snapshot.db.age' });
    const encrypted = blob.subarray(
      snapshot.kind === 'tar-range' ? snapshot.offset : 0,
      snapshot.kind === 'tar-range' ? snapshot.offset + snapshot.size : undefined,
    );
    await writeFile(join(base, 'snapshot.db.age'), encrypted);
    await execFileAsync('age', [
      '-d',
      '-i',
      join(base, 'age.key'),
      '-o',
      decrypted,
      join(base, 'snapshot.db.age'),
    ]);
    const status = JSON.parse(
      (
        await execFileAsync('etcdctl', ['snapshot', 'status', decrypted, '-w', 'json'], {
          env: { ...process.env, ETCDCTL_API: '3' },
        })
      ).stdout,
    ) as { revision: number };
    expect(status.revision).toBe(manifest.snapshot.revision);

    // Retention capped at the repository's maximum, with a warning.
    expect(result.stdout).toMatch(
      /::warning::retention-days 30 is above this repository's maximum of 10 days/,
    );
    const days = (stored!.expiresAt!.getTime() - Date.now()) / (24 * 3600 * 1000);
    expect(days).toBeGreaterThan(9.9);
    expect(days).toBeLessThan(10.1);
    // Progress in a log group, the summary as a table.
    expect(result.stdout).toMatch(/::group::etcd-dr backup\n[\s\S]*transfer: [\s\S]*::endgroup::/);
    expect(result.summary).toContain('## etcd-dr backup of user-cluster-1');
    expect(result.summary).toContain(`| Digest | \`${blobDigest}\` |`);
    expect(result.summary).toContain('| Retention | 10 days |');
    // The kubeconfig secret was masked, and no secret file or bundle is left in RUNNER_TEMP.
    const clientKey = /client-key-data: (\S+)/.exec(adminKubeconfig)![1]!;
    expect(result.masked).toContain(clientKey);
    expect(result.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(clientKey);
    expect((await readdir(result.runnerTemp)).sort()).toEqual(['github-output', 'step-summary.md']);
  });

  it('refuses to upload an unencrypted snapshot unless allow-unencrypted is true, naming the inputs', async () => {
    const before = service.artifacts().length;
    const result = await run({
      entry: backupEntry,
      inputs: { config: lab.config },
      env: service.createRun().env,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /^::error::ACTION_INPUT_INVALID: input recipients: is empty, so the snapshot .* set allow-unencrypted: true/m,
    );
    expect(service.artifacts()).toHaveLength(before);
    expect(result.summary).toMatch(/^## etcd-dr backup FAILED\n\nACTION_INPUT_INVALID: input recipients: /);
  });

  it('backs up from secrets alone (no config) with allow-unencrypted: true, warning loudly', async () => {
    const jobRun = service.createRun();
    const result = await run({
      entry: backupEntry,
      inputs: {
        'cluster-name': 'user-cluster-1',
        topology: 'kubeception',
        'admin-kubeconfig': adminKubeconfig,
        'user-kubeconfig': userKubeconfig,
        'allow-unencrypted': 'true',
      },
      env: jobRun.env,
    });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs['artifact-name']).toMatch(/^user-cluster-1-\d{8}T\d{6}Z\.tar$/);
    expect(result.outputs.encrypted).toBe('false');
    expect(result.stdout).toMatch(/::warning::uploading an UNENCRYPTED snapshot/);
    expect(result.summary).toContain('| Encrypted | **no** (allow-unencrypted: true) |');
    const stored = service
      .artifacts()
      .find((artifact) => String(artifact.id) === result.outputs['artifact-id'])!;
    const tar = join(base, 'plain.tar');
    await writeFile(tar, await service.readBlob({ id: stored.id }));
    const verification = await verifyBundle({ path: tar });
    expect(verification.ok).toBe(true);
    expect(verification.bundle.manifest.files.map((file) => file.path)).toContain('snapshot.db');
    expect((await readdir(result.runnerTemp)).sort()).toEqual(['github-output', 'step-summary.md']);
  });

  // Shares this lab rather than starting another one.
  it('the example program (examples/sdk-program) backs up the lab with the SDK and lists the bundle', async () => {
    const out = join(base, 'example-backups');
    const backedUp = await execFileAsync(process.execPath, [
      exampleProgram,
      '--config',
      lab.config,
      '--out',
      out,
      '--recipient',
      recipient,
    ]);
    expect(backedUp.stderr).toMatch(/backed up user-cluster-1 into /);
    const lines = backedUp.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\S+Z {2}user-cluster-1 {2}rev \d+ {2}\d+ keys {2}age {2}.*example-backups\/user-cluster-1-\d{8}T\d{6}Z$/,
    );
    const listed = await execFileAsync(process.execPath, [exampleProgram, '--list-only', '--out', out]);
    expect(listed.stdout.trim()).toBe(lines[0]);
  });

  // Last, as it breaks and restores the shared lab.
  it('the bundled restore-drill restores that backup into the broken lab for real: before-configmap back, after-configmap gone', async () => {
    const kubectl = (...args: string[]) =>
      execFileAsync('kubectl', ['--kubeconfig', lab.userKubeconfig, '-n', 'default', ...args]);
    const stamp = Date.now().toString(36);
    await kubectl('create', 'configmap', `before-backup-${stamp}`, '--from-literal=kept=yes');
    const jobRun = service.createRun();
    const backup = await run({
      entry: backupEntry,
      inputs: { config: lab.config, recipients: recipient, 'artifact-name': `drill-${stamp}` },
      env: jobRun.env,
    });
    expect(backup.exitCode, backup.stdout).toBe(0);
    await kubectl('create', 'configmap', `after-backup-${stamp}`, '--from-literal=kept=no');
    await lab.breakMembers([0]);
    const identity = (await readFile(join(base, 'age.key'), 'utf8'))
      .split('\n')
      .find((line) => line.startsWith('AGE-SECRET-KEY-1'))!;
    const inputs = { config: lab.config, identities: identity };

    // An unhealthy test cluster fails the drill before anything is restored, unless allow-unhealthy.
    const refused = await run({ entry: drillEntry, inputs, env: jobRun.env });
    expect(refused.exitCode).toBe(1);
    expect(refused.outputs.verdict).toBe('failed');
    expect(refused.stdout).toMatch(/^::error::restore drill FAILED: .*unhealthy before the drill/m);
    expect(refused.summary).toContain('## etcd-dr restore drill: FAILED');
    expect(refused.summary).toMatch(/\| restore \| skipped \|/);

    const drill = await run({
      entry: drillEntry,
      inputs: { ...inputs, 'allow-unhealthy': 'true' },
      env: jobRun.env,
    });
    expect(drill.stderr).toBe('');
    expect(drill.exitCode, drill.stdout).toBe(0);
    expect(drill.outputs.verdict).toBe('passed');
    expect(drill.outputs['artifact-id']).toBe(backup.outputs['artifact-id']);
    expect(drill.outputs['bundle-digest']).toBe(backup.outputs['bundle-digest']);
    expect(drill.outputs.revision).toBe(backup.outputs.revision);
    expect(drill.masked).toContain(identity);
    expect(drill.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(identity);
    expect(drill.stdout).toMatch(/^restore succeeded \(/m);
    expect(drill.summary).toContain('## etcd-dr restore drill: PASSED');
    expect(drill.summary).toContain('# etcd-dr drill: PASSED');
    expect(drill.summary).toMatch(/\| restore \| succeeded \|/);
    const report = JSON.parse(await readFile(drill.outputs['report-path']!, 'utf8')) as {
      verdict: string;
      mode: string;
      restore: { revision: number };
    };
    expect(report).toMatchObject({ verdict: 'passed', mode: 'target' });
    expect(report.restore.revision).toBeGreaterThanOrEqual(Number(backup.outputs.revision));
    expect((await readdir(drill.runnerTemp)).sort()).toEqual([
      `etcd-dr-drill-report-${backup.outputs['artifact-id']}.json`,
      'github-output',
      'step-summary.md',
    ]);

    // Real kubectl against the restored lab: the state of the backup, not the state before the break.
    const kept = await kubectl('get', 'configmap', `before-backup-${stamp}`, '-o', 'jsonpath={.data.kept}');
    expect(kept.stdout).toBe('yes');
    const gone = await kubectl('get', 'configmap', `after-backup-${stamp}`).catch(
      (error: { stderr: string }) => error,
    );
    expect(gone.stderr).toMatch(/NotFound|not found/);
  });
});
