import {
  ActionInputError,
  booleanInput,
  type ClusterInputs,
  choiceInput,
  clusterInputNames,
  type GetInput,
  multilineInput,
  optionalInput,
  readClusterInputs,
} from '@etcd-dr/actions-shared';

/** Where the artifact is looked up: this workflow run, or another one through the REST API. */
export type ArtifactSource =
  | { kind: 'this-run' }
  | {
      kind: 'other-run';
      workflowRunId: number;
      repositoryOwner: string;
      repositoryName: string;
      token: string;
    };

/** What the drill restores into: the cluster the inputs describe, or a lab started on the runner. */
export type DrillTarget =
  | {
      mode: 'target';
      cluster: Exclude<ClusterInputs, { kind: 'none' }>;
      /** Restore even when the test cluster is unhealthy before the drill (input allow-unhealthy). Default false. */
      allowUnhealthy: boolean;
    }
  | { mode: 'sandbox'; topology: 'kubeception' | 'controlplane-v2' };

/** The restore-drill action's inputs, validated. */
export interface DrillInputs {
  source: ArtifactSource;
  /** Exact artifact name (`NAME.tar`); undefined: the newest bundle artifact matching `artifactPrefix`. */
  artifactName?: string;
  /** Only artifacts whose name starts with this. Default any. */
  artifactPrefix?: string;
  /** age identities (AGE-SECRET-KEY-1...) that decrypt the bundle; empty for an unencrypted one. */
  identities: string[];
  target: DrillTarget;
}

/**
 * Pure: reads and validates the restore-drill action's inputs. `env` gives `GITHUB_REPOSITORY`.
 * @throws ActionInputError naming the input and what to set (for a missing token: the permission it needs).
 */
export function readDrillInputs(getInput: GetInput, env: Record<string, string | undefined>): DrillInputs {
  const runIdText = optionalInput(getInput, 'run-id');
  const token = optionalInput(getInput, 'github-token');
  const repository = optionalInput(getInput, 'repository') ?? env.GITHUB_REPOSITORY;
  let source: ArtifactSource = { kind: 'this-run' };
  if (runIdText !== undefined) {
    if (!/^\d+$/.test(runIdText)) {
      throw new ActionInputError({
        input: 'run-id',
        problem: `${JSON.stringify(runIdText)} is not a workflow run id`,
        remedy:
          'set run-id to the numeric id of the run that uploaded the backup (github.run_id in that run)',
      });
    }
    if (!token) {
      throw new ActionInputError({
        input: 'github-token',
        problem: 'is required to read artifacts of another workflow run (run-id is set)',
        remedy:
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression users copy, not a template
          'set github-token: ${{ secrets.GITHUB_TOKEN }} and give the job `permissions: actions: read` (a fine-grained token needs Actions: read on the repository)',
      });
    }
    const [owner, name, extra] = (repository ?? '').split('/');
    if (!owner || !name || extra !== undefined) {
      throw new ActionInputError({
        input: 'repository',
        problem: `${JSON.stringify(repository ?? '')} is not owner/name`,
        remedy: 'set repository to owner/name of the repository whose run uploaded the backup',
      });
    }
    source = {
      kind: 'other-run',
      workflowRunId: Number(runIdText),
      repositoryOwner: owner,
      repositoryName: name,
      token,
    };
  } else if (optionalInput(getInput, 'repository') !== undefined) {
    throw new ActionInputError({
      input: 'repository',
      problem: 'is set without run-id; artifacts of this run always belong to this repository',
      remedy: 'set run-id (and github-token) to read another run, or remove repository',
    });
  }

  const artifactName = optionalInput(getInput, 'artifact-name');
  const artifactPrefix = optionalInput(getInput, 'artifact-prefix');
  if (artifactName !== undefined && artifactPrefix !== undefined) {
    throw new ActionInputError({
      input: 'artifact-prefix',
      problem: 'is set together with artifact-name',
      remedy: 'set artifact-name for one artifact, or artifact-prefix for the newest of a series, not both',
    });
  }

  const identities = multilineInput(getInput, 'identities');
  const malformed = identities.find((line) => !line.toUpperCase().startsWith('AGE-SECRET-KEY-1'));
  if (malformed !== undefined) {
    throw new ActionInputError({
      input: 'identities',
      problem: 'holds a line that is not an age identity',
      remedy:
        'pass the AGE-SECRET-KEY-1... lines of the key files (`age-keygen` output) from a secret, one per line',
    });
  }

  const sandbox = choiceInput(getInput, 'sandbox', ['kubeception', 'controlplane-v2'] as const);
  const allowUnhealthy = booleanInput(getInput, 'allow-unhealthy', false);
  let target: DrillTarget;
  if (sandbox !== undefined) {
    if (allowUnhealthy) {
      throw new ActionInputError({
        input: 'allow-unhealthy',
        problem: 'is set together with sandbox; a sandbox drill breaks and restores its own lab',
        remedy: 'remove allow-unhealthy, or drill against a test cluster (config) instead of sandbox',
      });
    }
    const set = clusterInputNames.find((name) => optionalInput(getInput, name) !== undefined);
    if (set !== undefined) {
      throw new ActionInputError({
        input: 'sandbox',
        problem: `is set together with ${set}; a sandbox drill restores into a lab on the runner, not a cluster`,
        remedy: `remove sandbox to drill against the cluster ${set} describes, or remove ${set}`,
      });
    }
    target = { mode: 'sandbox', topology: sandbox };
  } else {
    const cluster = readClusterInputs(getInput);
    if (cluster.kind === 'none') {
      throw new ActionInputError({
        input: 'config',
        problem: 'no test cluster is described',
        remedy:
          'set config (an etcd-dr.yaml), or cluster-name with admin-kubeconfig and user-kubeconfig, or sandbox: kubeception|controlplane-v2 for a lab on the runner',
      });
    }
    target = { mode: 'target', cluster, allowUnhealthy };
  }
  return {
    source,
    ...(artifactName === undefined
      ? {}
      : { artifactName: artifactName.endsWith('.tar') ? artifactName : `${artifactName}.tar` }),
    ...(artifactPrefix === undefined ? {} : { artifactPrefix }),
    identities,
    target,
  };
}
