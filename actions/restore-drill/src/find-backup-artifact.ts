import type { ArtifactClient, FindOptions } from '@actions/artifact';
import { ActionInputError } from '@etcd-dr/actions-shared';
import { DrillActionError } from './drill-action-error.js';
import type { ArtifactSource } from './read-drill-inputs.js';
import { type ListedArtifact, selectBackupArtifact } from './select-backup-artifact.js';

/** Options of {@link findBackupArtifact}. */
export interface FindBackupArtifactOptions {
  client: ArtifactClient;
  source: ArtifactSource;
  name?: string;
  prefix?: string;
}

/** `findBy` for `@actions/artifact` when the source is another run. */
export function findByOf(source: ArtifactSource): FindOptions {
  if (source.kind === 'this-run') return {};
  const { token, workflowRunId, repositoryOwner, repositoryName } = source;
  return { findBy: { token, workflowRunId, repositoryOwner, repositoryName } };
}

/** `this workflow run` or `run 123 of owner/name`, for messages. */
export function describeSource(source: ArtifactSource): string {
  return source.kind === 'this-run'
    ? 'this workflow run'
    : `run ${source.workflowRunId} of ${source.repositoryOwner}/${source.repositoryName}`;
}

/**
 * Lists the source run's artifacts and picks the named one, or the newest bundle (`*.tar`).
 * @throws DrillActionError `ACTION_ARTIFACT_NOT_FOUND` (naming what exists), ActionInputError on `github-token`
 * when the token is refused (naming the `actions: read` permission).
 */
export async function findBackupArtifact(options: FindBackupArtifactOptions): Promise<ListedArtifact> {
  const { source } = options;
  let artifacts: ListedArtifact[];
  try {
    ({ artifacts } = await options.client.listArtifacts({ latest: true, ...findByOf(source) }));
  } catch (error) {
    throw accessError(error, source) ?? error;
  }
  const artifact = selectBackupArtifact({
    artifacts,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
  });
  if (!artifact) {
    const wanted =
      options.name !== undefined
        ? `named ${options.name}`
        : `*.tar${options.prefix === undefined ? '' : ` starting with ${options.prefix}`}`;
    const found = artifacts.map((candidate) => candidate.name).slice(0, 5);
    throw new DrillActionError({
      code: 'ACTION_ARTIFACT_NOT_FOUND',
      message: `no backup artifact ${wanted} in ${describeSource(source)} (it has ${found.length === 0 ? 'no artifacts' : found.join(', ')})`,
      remedy:
        source.kind === 'this-run'
          ? 'run etcd-dr backup in an earlier job of this run, or set run-id and github-token to read the run that uploaded it'
          : 'check run-id (the run that ran the backup action) and artifact-name; expired artifacts are gone',
    });
  }
  return artifact;
}

/** Maps the REST API's refusal of the token to an error on the `github-token` input. */
export function accessError(error: unknown, source: ArtifactSource): ActionInputError | undefined {
  if (source.kind === 'this-run') return undefined;
  const status = (error as { status?: unknown }).status;
  const message = error instanceof Error ? error.message : String(error);
  if (status !== 401 && status !== 403 && !/not accessible|bad credentials/i.test(message)) return undefined;
  return new ActionInputError({
    input: 'github-token',
    problem: `was refused reading the artifacts of ${describeSource(source)}: ${message.split('\n')[0]}`,
    remedy:
      'give the job `permissions: actions: read` (or a token with Actions: read on that repository) and pass it as github-token',
  });
}
