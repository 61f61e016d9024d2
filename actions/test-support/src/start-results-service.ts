import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BlobSASPermissions,
  BlobServiceClient,
  type ContainerClient,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { createRuntimeToken, verifyRuntimeToken } from './create-runtime-token.js';
import { type Azurite, azuriteAccount, startAzurite } from './start-azurite.js';

/** One artifact as the stand-in stores it. */
export interface StoredArtifact {
  /** The database id `@actions/artifact` returns as `id`. */
  id: number;
  runBackendId: string;
  jobBackendId: string;
  /** The numeric run id the REST API uses. */
  workflowRunId: number;
  repository: string;
  name: string;
  blobName: string;
  mimeType: string | undefined;
  /** Bytes, as FinalizeArtifact reported them (and as the blob holds them). */
  size: number;
  /** `sha256:HEX` as FinalizeArtifact reported it. */
  digest: string | undefined;
  createdAt: Date;
  expiresAt: Date | undefined;
  finalized: boolean;
}

/** A workflow run the stand-in knows, with the job environment `@actions/artifact` reads. */
export interface ResultsServiceRun {
  workflowRunId: number;
  runBackendId: string;
  jobBackendId: string;
  repository: string;
  /** `ACTIONS_RUNTIME_TOKEN`, `ACTIONS_RESULTS_URL`, `GITHUB_API_URL`, `GITHUB_REPOSITORY`, `GITHUB_RUN_ID`. */
  env: Record<string, string>;
}

/** A running stand-in for the Actions results service and the artifact REST API. */
export interface ResultsService extends AsyncDisposable {
  /** `http://127.0.0.1:PORT/`. */
  url: string;
  /** A new workflow run (and one job in it) of `repository` (default `octo/etcd-dr-test`). */
  createRun(options?: { repository?: string }): ResultsServiceRun;
  /** A REST API token; with `actionsRead: false` it is valid but lacks the `actions:read` permission. */
  issueApiToken(options: { actionsRead: boolean }): string;
  /** Every artifact created so far, finalized or not, oldest first. */
  artifacts(): StoredArtifact[];
  /**
   * Stores a finalized artifact directly, as if a job of `run` had uploaded `content` (for fixtures). `digest`
   * overrides the recorded `sha256:HEX`, to stand for a blob damaged after upload.
   */
  putArtifact(options: {
    run: ResultsServiceRun;
    name: string;
    content: Buffer;
    digest?: string;
  }): Promise<StoredArtifact>;
  /** The bytes stored in the blob of an artifact, read straight from Azurite. */
  readBlob(options: { id: number }): Promise<Buffer>;
  /** Requests received, method and path (`/twirp/.../CreateArtifact`, `/repos/...`), oldest first. */
  requests(): string[];
  stop(): Promise<void>;
}

/** Options of {@link startResultsService}. */
export interface StartResultsServiceOptions {
  /** An Azurite to store blobs in. Default: one is started, and stopped with the service. */
  azurite?: Azurite;
}

const twirpPrefix = '/twirp/github.actions.results.api.v1.ArtifactService/';
const containerName = 'actions-results';

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly twirpCode: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Starts, on 127.0.0.1 and a free port, a stand-in for what `@actions/artifact` 2+ talks to:
 * - the results service's Twirp JSON `ArtifactService` (`CreateArtifact`, `FinalizeArtifact`, `ListArtifacts`,
 *   `GetSignedArtifactURL`, `DeleteArtifact`), authenticated by the runtime token's signature and scoped by its
 *   `Actions.Results:RUN:JOB` claim, as the runner's own service is;
 * - the REST endpoints that `findBy` switches to (list a run's artifacts, download redirect), which need a token
 *   with `actions:read`.
 * Signed URLs are SAS URLs of Azurite blobs, so the client's real Azure block upload and download run.
 * Artifact names are unique per run (409 otherwise), as on GitHub.
 */
export async function startResultsService(options: StartResultsServiceOptions = {}): Promise<ResultsService> {
  const ownAzurite = options.azurite ? undefined : await startAzurite();
  const azurite = (options.azurite ?? ownAzurite)!;
  const credential = new StorageSharedKeyCredential(azuriteAccount.name, azuriteAccount.key);
  const blobService = new BlobServiceClient(azurite.blobEndpoint, credential);
  const container = blobService.getContainerClient(containerName);
  await container.createIfNotExists();

  const secret = randomBytes(32).toString('hex');
  const runs = new Map<string, ResultsServiceRun>();
  const apiTokens = new Map<string, { actionsRead: boolean }>();
  const stored: StoredArtifact[] = [];
  const received: string[] = [];
  let nextArtifactId = 1;
  let nextRunId = 1000;

  const signedUrl = (artifact: StoredArtifact, permissions: string) =>
    container.getBlockBlobClient(artifact.blobName).generateSasUrl({
      permissions: BlobSASPermissions.parse(permissions),
      expiresOn: new Date(Date.now() + 60 * 60 * 1000),
      contentDisposition: `attachment; filename="${artifact.name}"; filename*=UTF-8''${encodeURIComponent(artifact.name)}`,
    });

  const twirp = async (method: string, body: Record<string, unknown>, scope: { runBackendId: string }) => {
    const runBackendId = String(body.workflow_run_backend_id ?? '');
    const jobBackendId = String(body.workflow_job_run_backend_id ?? '');
    if (runBackendId !== scope.runBackendId) {
      throw new HttpError(403, 'permission_denied', 'the token does not grant access to this workflow run');
    }
    const inRun = stored.filter((artifact) => artifact.runBackendId === runBackendId);
    switch (method) {
      case 'CreateArtifact': {
        const name = String(body.name ?? '');
        if (!name) throw new HttpError(400, 'invalid_argument', 'name is required');
        if (typeof body.version !== 'number' || body.version < 4) {
          throw new HttpError(
            400,
            'invalid_argument',
            `unsupported artifact version ${String(body.version)}`,
          );
        }
        if (inRun.some((artifact) => artifact.name === name)) {
          throw new HttpError(
            409,
            'already_exists',
            `an artifact with the name ${name} already exists on the workflow run`,
          );
        }
        const run = runs.get(runBackendId)!;
        const artifact: StoredArtifact = {
          id: nextArtifactId++,
          runBackendId,
          jobBackendId,
          workflowRunId: run.workflowRunId,
          repository: run.repository,
          name,
          blobName: `${runBackendId}/${jobBackendId}/${randomUUID()}/${name}`,
          mimeType: typeof body.mime_type === 'string' ? body.mime_type : undefined,
          size: 0,
          digest: undefined,
          createdAt: new Date(),
          expiresAt: typeof body.expires_at === 'string' ? new Date(body.expires_at) : undefined,
          finalized: false,
        };
        stored.push(artifact);
        return { ok: true, signed_upload_url: await signedUrl(artifact, 'cw') };
      }
      case 'FinalizeArtifact': {
        const artifact = inRun.find((candidate) => candidate.name === body.name && !candidate.finalized);
        if (!artifact)
          throw new HttpError(404, 'not_found', `no artifact ${String(body.name)} is being uploaded`);
        const size = Number(body.size);
        const properties = await container
          .getBlockBlobClient(artifact.blobName)
          .getProperties()
          .catch(() => undefined);
        if (!properties)
          throw new HttpError(400, 'failed_precondition', 'nothing was uploaded to the signed URL');
        if (properties.contentLength !== size) {
          throw new HttpError(
            400,
            'invalid_argument',
            `size ${size} does not match the ${properties.contentLength} bytes uploaded`,
          );
        }
        artifact.size = size;
        artifact.digest = typeof body.hash === 'string' ? body.hash : undefined;
        artifact.finalized = true;
        return { ok: true, artifact_id: String(artifact.id) };
      }
      case 'ListArtifacts': {
        const nameFilter = typeof body.name_filter === 'string' ? body.name_filter : undefined;
        const idFilter = body.id_filter === undefined ? undefined : Number(body.id_filter);
        return {
          artifacts: inRun
            .filter((artifact) => artifact.finalized)
            .filter((artifact) => nameFilter === undefined || artifact.name === nameFilter)
            .filter((artifact) => idFilter === undefined || artifact.id === idFilter)
            .map((artifact) => ({
              workflow_run_backend_id: artifact.runBackendId,
              workflow_job_run_backend_id: artifact.jobBackendId,
              database_id: String(artifact.id),
              name: artifact.name,
              size: String(artifact.size),
              created_at: artifact.createdAt.toISOString(),
              ...(artifact.digest ? { digest: artifact.digest } : {}),
            })),
        };
      }
      case 'GetSignedArtifactURL': {
        const artifact = inRun.find((candidate) => candidate.name === body.name && candidate.finalized);
        if (!artifact) throw new HttpError(404, 'not_found', `no artifact named ${String(body.name)}`);
        return { signed_url: await signedUrl(artifact, 'r') };
      }
      case 'DeleteArtifact': {
        const artifact = inRun.find((candidate) => candidate.name === body.name && candidate.finalized);
        if (!artifact) throw new HttpError(404, 'not_found', `no artifact named ${String(body.name)}`);
        await container.deleteBlob(artifact.blobName);
        stored.splice(stored.indexOf(artifact), 1);
        return { ok: true, artifact_id: String(artifact.id) };
      }
      default:
        throw new HttpError(404, 'bad_route', `no method ${method}`);
    }
  };

  const rest = async (request: IncomingMessage, url: URL, response: ServerResponse) => {
    const authorization = request.headers.authorization ?? '';
    const token = /^(?:token|bearer)\s+(.+)$/i.exec(authorization)?.[1];
    const grant = token ? apiTokens.get(token) : undefined;
    if (!grant) throw new HttpError(401, 'unauthenticated', 'Bad credentials');
    if (!grant.actionsRead)
      throw new HttpError(403, 'permission_denied', 'Resource not accessible by integration');
    const listMatch = /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/artifacts$/.exec(url.pathname);
    if (listMatch && request.method === 'GET') {
      const repository = `${listMatch[1]}/${listMatch[2]}`;
      const runId = Number(listMatch[3]);
      const name = url.searchParams.get('name');
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      const matching = stored.filter(
        (artifact) =>
          artifact.finalized &&
          artifact.repository === repository &&
          artifact.workflowRunId === runId &&
          (name === null || artifact.name === name),
      );
      const slice = matching.slice((page - 1) * perPage, page * perPage);
      sendJson(response, 200, {
        total_count: matching.length,
        artifacts: slice.map((artifact) => ({
          id: artifact.id,
          name: artifact.name,
          size_in_bytes: artifact.size,
          expired: false,
          created_at: artifact.createdAt.toISOString(),
          expires_at: artifact.expiresAt?.toISOString() ?? null,
          digest: artifact.digest ?? null,
          workflow_run: { id: artifact.workflowRunId },
        })),
      });
      return;
    }
    const downloadMatch = /^\/repos\/([^/]+)\/([^/]+)\/actions\/artifacts\/(\d+)\/zip$/.exec(url.pathname);
    if (downloadMatch && request.method === 'GET') {
      const repository = `${downloadMatch[1]}/${downloadMatch[2]}`;
      const artifact = stored.find(
        (candidate) =>
          candidate.finalized &&
          candidate.repository === repository &&
          candidate.id === Number(downloadMatch[3]),
      );
      if (!artifact) throw new HttpError(404, 'not_found', 'Not Found');
      response.writeHead(302, { location: await signedUrl(artifact, 'r') });
      response.end();
      return;
    }
    throw new HttpError(404, 'not_found', 'Not Found');
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    received.push(`${request.method} ${url.pathname}`);
    handle(request, url, response).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const code = error instanceof HttpError ? error.twirpCode : 'internal';
      const message = error instanceof Error ? error.message : String(error);
      if (url.pathname.startsWith(twirpPrefix)) sendJson(response, status, { code, msg: message });
      else sendJson(response, status, { message });
    });
  });
  const handle = async (request: IncomingMessage, url: URL, response: ServerResponse) => {
    if (url.pathname.startsWith(twirpPrefix) && request.method === 'POST') {
      const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
      const scope = bearer ? verifyRuntimeToken({ token: bearer, secret }) : undefined;
      if (!scope || !runs.has(scope.runBackendId)) {
        throw new HttpError(
          401,
          'unauthenticated',
          'the runtime token is missing, expired or not signed by this service',
        );
      }
      const body = JSON.parse((await readBody(request)) || '{}') as Record<string, unknown>;
      sendJson(response, 200, await twirp(url.pathname.slice(twirpPrefix.length), body, scope));
      return;
    }
    if (url.pathname.startsWith('/repos/')) {
      await rest(request, url, response);
      return;
    }
    throw new HttpError(404, 'bad_route', `no route ${request.method} ${url.pathname}`);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${address.port}/`;

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ownAzurite?.stop();
    })();
    return stopped;
  };

  return {
    url,
    createRun: (runOptions = {}) => {
      const repository = runOptions.repository ?? 'octo/etcd-dr-test';
      const runBackendId = randomUUID();
      const jobBackendId = randomUUID();
      const workflowRunId = nextRunId++;
      const runtimeToken = createRuntimeToken({ runBackendId, jobBackendId, secret });
      const run: ResultsServiceRun = {
        workflowRunId,
        runBackendId,
        jobBackendId,
        repository,
        env: {
          ACTIONS_RUNTIME_TOKEN: runtimeToken,
          ACTIONS_RESULTS_URL: url,
          GITHUB_API_URL: url.replace(/\/$/, ''),
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_REPOSITORY: repository,
          GITHUB_RUN_ID: String(workflowRunId),
        },
      };
      runs.set(runBackendId, run);
      return run;
    },
    issueApiToken: ({ actionsRead }) => {
      const token = `ghs_${randomBytes(18).toString('hex')}`;
      apiTokens.set(token, { actionsRead });
      return token;
    },
    artifacts: () => stored.map((artifact) => ({ ...artifact })),
    putArtifact: async ({ run, name, content, digest }) => {
      const artifact: StoredArtifact = {
        id: nextArtifactId++,
        runBackendId: run.runBackendId,
        jobBackendId: run.jobBackendId,
        workflowRunId: run.workflowRunId,
        repository: run.repository,
        name,
        blobName: `${run.runBackendId}/${run.jobBackendId}/${randomUUID()}/${name}`,
        mimeType: 'application/x-tar',
        size: content.length,
        digest: digest ?? `sha256:${createHash('sha256').update(content).digest('hex')}`,
        createdAt: new Date(),
        expiresAt: undefined,
        finalized: true,
      };
      await container.getBlockBlobClient(artifact.blobName).uploadData(content, {
        blobHTTPHeaders: { blobContentType: 'application/x-tar' },
      });
      stored.push(artifact);
      return { ...artifact };
    },
    readBlob: async ({ id }) => {
      const artifact = stored.find((candidate) => candidate.id === id);
      if (!artifact) throw new Error(`no artifact ${id}`);
      return await blobOf(container, artifact.blobName);
    },
    requests: () => [...received],
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

async function blobOf(container: ContainerClient, blobName: string): Promise<Buffer> {
  return await container.getBlockBlobClient(blobName).downloadToBuffer();
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
