import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimeToken } from './create-runtime-token.js';
import { type ResultsService, startResultsService } from './start-results-service.js';

const touched = [
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_RESULTS_URL',
  'GITHUB_API_URL',
  'GITHUB_SERVER_URL',
  'GITHUB_REPOSITORY',
  'GITHUB_RUN_ID',
  'GITHUB_WORKSPACE',
] as const;

describe('the results service stand-in, driven by the real @actions/artifact client and Azurite', () => {
  let service: ResultsService;
  let base: string;
  const saved = Object.fromEntries(touched.map((name) => [name, process.env[name]]));

  // @actions/github reads GITHUB_API_URL once, when it is first imported: import it only once the variable
  // points at the stand-in, so that no request can go to the real API.
  let DefaultArtifactClient: typeof import('@actions/artifact').DefaultArtifactClient;

  beforeAll(async () => {
    service = await startResultsService();
    process.env.GITHUB_API_URL = service.createRun().env.GITHUB_API_URL;
    ({ DefaultArtifactClient } = await import('@actions/artifact'));
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-results-'));
  });
  afterEach(() => {
    for (const name of touched) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });
  afterAll(async () => {
    await service?.stop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('uploads a file as a block blob, lists it with its digest and downloads the same bytes', async () => {
    const run = service.createRun();
    Object.assign(process.env, run.env);
    const file = join(base, 'bundle.tar');
    // Three 8 MiB blocks for the client's block upload (the last one partial), committed as one blob.
    const content = Buffer.alloc(2 * 8 * 1024 * 1024 + 17, 7);
    content.write('head', 0);
    content.write('tail', content.length - 4);
    await writeFile(file, content);
    const digest = createHash('sha256').update(content).digest('hex');
    const client = new DefaultArtifactClient();

    const uploaded = await client.uploadArtifact('bundle.tar', [file], base, {
      skipArchive: true,
      retentionDays: 3,
    });
    expect(uploaded).toEqual({ id: expect.any(Number), size: content.length, digest });
    expect((await service.readBlob({ id: uploaded.id! })).equals(content)).toBe(true);
    const record = service.artifacts().find((artifact) => artifact.id === uploaded.id)!;
    expect(record.digest).toBe(`sha256:${digest}`);
    expect(record.expiresAt!.getTime() - Date.now()).toBeGreaterThan(2.9 * 24 * 3600 * 1000);

    const listed = await client.listArtifacts();
    expect(listed.artifacts).toEqual([
      expect.objectContaining({
        id: uploaded.id,
        name: 'bundle.tar',
        size: content.length,
        digest: `sha256:${digest}`,
      }),
    ]);
    const into = join(base, 'download');
    const downloaded = await client.downloadArtifact(uploaded.id!, {
      path: into,
      expectedHash: `sha256:${digest}`,
    });
    expect(downloaded.digestMismatch).toBe(false);
    expect(await readdir(into)).toEqual(['bundle.tar']);
    expect((await readFile(join(into, 'bundle.tar'))).equals(content)).toBe(true);

    await client.deleteArtifact('bundle.tar');
    expect((await client.listArtifacts()).artifacts).toEqual([]);
  });

  it('refuses a second artifact of the same name in a run (409), as GitHub does', async () => {
    const run = service.createRun();
    Object.assign(process.env, run.env);
    const file = join(base, 'twice.tar');
    await writeFile(file, 'x');
    const client = new DefaultArtifactClient();
    await client.uploadArtifact('twice.tar', [file], base, { skipArchive: true });
    await expect(client.uploadArtifact('twice.tar', [file], base, { skipArchive: true })).rejects.toThrow(
      /409.*already exists/,
    );
  });

  it('rejects a runtime token it did not sign, and scopes listing to the token’s run', async () => {
    const run = service.createRun();
    Object.assign(process.env, run.env, {
      ACTIONS_RUNTIME_TOKEN: createRuntimeToken({
        runBackendId: run.runBackendId,
        jobBackendId: run.jobBackendId,
        secret: 'not-the-service-secret',
      }),
    });
    await expect(new DefaultArtifactClient().listArtifacts()).rejects.toThrow(/401/);
    Object.assign(process.env, service.createRun().env);
    expect((await new DefaultArtifactClient().listArtifacts()).artifacts).toEqual([]);
  });

  it('serves another run’s artifacts over the REST API (findBy) only to a token with actions:read', async () => {
    const producer = service.createRun();
    Object.assign(process.env, producer.env);
    const file = join(base, 'other-run.tar');
    await writeFile(file, 'from another run');
    const uploaded = await new DefaultArtifactClient().uploadArtifact('other-run.tar', [file], base, {
      skipArchive: true,
    });
    Object.assign(process.env, service.createRun().env);
    const [owner, repo] = producer.repository.split('/') as [string, string];
    const findBy = (token: string) => ({
      token,
      workflowRunId: producer.workflowRunId,
      repositoryOwner: owner,
      repositoryName: repo,
    });
    const client = new DefaultArtifactClient();
    await expect(
      client.listArtifacts({ findBy: findBy(service.issueApiToken({ actionsRead: false })) }),
    ).rejects.toThrow(/not accessible/i);
    const token = service.issueApiToken({ actionsRead: true });
    const listed = await client.listArtifacts({ findBy: findBy(token) });
    expect(listed.artifacts.map((artifact) => [artifact.id, artifact.name])).toEqual([
      [uploaded.id, 'other-run.tar'],
    ]);
    const into = join(base, 'other-download');
    await client.downloadArtifact(uploaded.id!, { path: into, findBy: findBy(token) });
    expect(await readFile(join(into, 'other-run.tar'), 'utf8')).toBe('from another run');
    expect(service.requests()).toContain(
      `GET /repos/${producer.repository}/actions/artifacts/${uploaded.id}/zip`,
    );
  });
});
