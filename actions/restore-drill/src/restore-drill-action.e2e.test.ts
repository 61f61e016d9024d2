import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ActionRun,
  type ResultsService,
  type ResultsServiceRun,
  runAction,
  startResultsService,
} from '@etcd-dr/actions-test-support';
import { readBundle } from '@etcd-dr/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSampleBundle } from '../../../packages/sdk/src/bundle/sample-bundle.test-support.js';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('the bundled restore-drill action: find, download, verify and drill a backup artifact', () => {
  let base: string;
  let service: ResultsService;
  let producer: ResultsServiceRun;
  let bundle: Buffer;
  let newestId: number;
  const runs: ActionRun[] = [];
  const run = async (inputs: Record<string, string>, env: Record<string, string>) => {
    const result = await runAction({ entry, inputs, env });
    runs.push(result);
    return result;
  };

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-action-drill-'));
    service = await startResultsService();
    producer = service.createRun({ repository: 'octo/clusters' });
    const older = await writeSampleBundle({
      directory: base,
      name: 'user-1-20261125T140000Z',
      format: 'tar',
    });
    await service.putArtifact({
      run: producer,
      name: 'user-1-20261125T140000Z.tar',
      content: await readFile(older.path),
    });
    const newest = await writeSampleBundle({
      directory: base,
      name: 'user-1-20261126T140000Z',
      format: 'tar',
    });
    bundle = await readFile(newest.path);
    newestId = (
      await service.putArtifact({ run: producer, name: 'user-1-20261126T140000Z.tar', content: bundle })
    ).id;
    await service.putArtifact({ run: producer, name: 'drill-logs', content: Buffer.from('not a bundle') });
  });
  afterAll(async () => {
    for (const result of runs) await result.remove();
    await service?.stop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  const otherRun = (token: string) => ({
    'run-id': String(producer.workflowRunId),
    repository: producer.repository,
    'github-token': token,
  });

  // The one sandbox-mode run: a whole drill on a lab shaped like the bundle (controlplane-v2, HA as in its manifest).
  it('takes the newest bundle of another run with an actions:read token, verifies it, and runs a sandbox drill that passes', async () => {
    const token = service.issueApiToken({ actionsRead: true });
    const result = await run({ ...otherRun(token), sandbox: 'controlplane-v2' }, service.createRun().env);
    expect(result.stderr).toBe('');
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs['artifact-id']).toBe(String(newestId));
    expect(result.outputs['artifact-name']).toBe('user-1-20261126T140000Z.tar');
    expect(result.outputs.revision).toBe('1234');
    expect(result.outputs.verdict).toBe('passed');
    expect(result.stdout).toMatch(/bundle of user-1 at revision 1234: 6 files verified/);
    expect(result.stdout).toMatch(/^::group::Restore drill \(sandbox controlplane-v2\)$/m);
    expect(result.stdout).toMatch(/^restore succeeded \(/m);
    expect(result.masked).toContain(token);
    expect(result.summary).toContain('## etcd-dr restore drill: PASSED');
    expect(result.summary).toContain(`from run ${producer.workflowRunId} of octo/clusters`);
    expect(result.summary).toContain('# etcd-dr drill: PASSED');
    expect(result.summary).toMatch(
      /\| break-cluster \| succeeded \| .* corrupted the data of member\(s\) 0, 1;/,
    );
    // The bundled gkectl.js beside index.js served the lab's gkectl for the verification.
    expect(result.summary).toMatch(/\| verify \| succeeded \| .*gkectl-diagnose/);
    const report = JSON.parse(await readFile(result.outputs['report-path']!, 'utf8')) as {
      verdict: string;
      mode: string;
      cluster: { topology: string; ha: boolean };
      probes: { missing: string[]; unexpected: string[] };
    };
    expect(report).toMatchObject({
      verdict: 'passed',
      mode: 'sandbox',
      cluster: { topology: 'controlplane-v2', ha: true },
      probes: { missing: [], unexpected: [] },
    });
    expect(service.requests()).toContain(`GET /repos/octo/clusters/actions/artifacts/${newestId}/zip`);
    expect((await readdir(result.runnerTemp)).sort()).toEqual([
      `etcd-dr-drill-report-${newestId}.json`,
      'github-output',
      'step-summary.md',
    ]);
  });

  it('says which permission a cross-run lookup needs when the token is missing or lacks it', async () => {
    const before = service.requests().length;
    const missing = await run(
      { 'run-id': String(producer.workflowRunId), sandbox: 'kubeception' },
      service.createRun().env,
    );
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toMatch(
      /^::error::ACTION_INPUT_INVALID: input github-token: is required to read artifacts of another workflow run.*actions: read/m,
    );
    expect(service.requests()).toHaveLength(before);

    const weak = await run(
      { ...otherRun(service.issueApiToken({ actionsRead: false })), sandbox: 'kubeception' },
      service.createRun().env,
    );
    expect(weak.exitCode).toBe(1);
    expect(weak.stdout).toMatch(
      /^::error::ACTION_INPUT_INVALID: input github-token: was refused reading the artifacts of run \d+ of octo\/clusters.*permissions: actions: read/m,
    );
  });

  it('refuses a bundle whose content does not match its manifest, and a blob that is not what was uploaded', async () => {
    const job = service.createRun();
    const location = await (await readBundle({ path: join(base, 'user-1-20261126T140000Z.tar') })).locateFile(
      {
        path: 'snapshot.db',
      },
    );
    const tampered = Buffer.from(bundle);
    const offset = location.kind === 'tar-range' ? location.offset + 100 : 0;
    tampered[offset] = tampered[offset]! ^ 0xff;
    await service.putArtifact({ run: job, name: 'tampered.tar', content: tampered });
    const mismatch = await run({ 'artifact-name': 'tampered', sandbox: 'kubeception' }, job.env);
    expect(mismatch.exitCode).toBe(1);
    expect(mismatch.stdout).toMatch(
      /^::error::BUNDLE_FILE_MISMATCH: bundle .*tampered\.tar: snapshot\.db does not match/m,
    );
    expect(mismatch.outputs['artifact-id']).toBeUndefined();

    await service.putArtifact({
      run: job,
      name: 'damaged.tar',
      content: bundle,
      digest: `sha256:${'0'.repeat(64)}`,
    });
    const damaged = await run({ 'artifact-name': 'damaged.tar', sandbox: 'kubeception' }, job.env);
    expect(damaged.exitCode).toBe(1);
    expect(damaged.stdout).toMatch(
      /^::error::ACTION_ARTIFACT_CORRUPT: artifact damaged\.tar .* uploaded with sha256:0+/m,
    );
  });

  it('names what exists when no artifact matches, and the inputs that contradict', async () => {
    const job = service.createRun();
    await service.putArtifact({ run: job, name: 'user-2-20261126T000000Z.tar', content: bundle });
    const none = await run({ 'artifact-prefix': 'user-1-', sandbox: 'controlplane-v2' }, job.env);
    expect(none.exitCode).toBe(1);
    expect(none.stdout).toMatch(
      /^::error::ACTION_ARTIFACT_NOT_FOUND: no backup artifact \*\.tar starting with user-1- in this workflow run \(it has user-2-20261126T000000Z\.tar\)/m,
    );

    const both = await run({ sandbox: 'kubeception', config: 'etcd-dr.yaml' }, job.env);
    expect(both.stdout).toMatch(
      /^::error::ACTION_INPUT_INVALID: input sandbox: is set together with config/m,
    );
    const neither = await run({}, job.env);
    expect(neither.stdout).toMatch(
      /^::error::ACTION_INPUT_INVALID: input config: no test cluster is described/m,
    );
  });

  it('drills against a test cluster described by secrets, masked and removed afterwards; a failed drill fails the job', async () => {
    const job = service.createRun();
    await service.putArtifact({ run: job, name: 'user-1-20261126T140000Z.tar', content: bundle });
    const kubeconfig = `apiVersion: v1\nkind: Config\nusers:\n  - name: test\n    user:\n      token: s3cr3t-token-of-the-test-cluster\n`;
    const result = await run(
      {
        'cluster-name': 'user-1',
        'admin-kubeconfig': kubeconfig,
        'user-kubeconfig': kubeconfig,
        identities: 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ',
      },
      job.env,
    );
    // The sample bundle's snapshot.db is not an etcd snapshot: the drill fails at its first step, restoring nothing.
    expect(result.exitCode).toBe(1);
    expect(result.outputs.verdict).toBe('failed');
    expect(result.stdout).toMatch(/^::error::restore drill FAILED: read-bundle: SNAPSHOT_NOT_BBOLT: /m);
    expect(result.summary).toContain('## etcd-dr restore drill: FAILED');
    expect(result.summary).toContain('# etcd-dr drill: FAILED');
    expect(result.summary).toMatch(/\| restore \| skipped \|/);
    expect(result.masked).toContain('s3cr3t-token-of-the-test-cluster');
    expect(result.masked).toContain(
      'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ',
    );
    expect(result.summary).not.toContain('s3cr3t-token-of-the-test-cluster');
    const report = JSON.parse(await readFile(result.outputs['report-path']!, 'utf8')) as { verdict: string };
    expect(report.verdict).toBe('failed');
    const artifactId = result.outputs['artifact-id'];
    expect((await readdir(result.runnerTemp)).sort()).toEqual([
      `etcd-dr-drill-report-${artifactId}.json`,
      'github-output',
      'step-summary.md',
    ]);
  });
});
