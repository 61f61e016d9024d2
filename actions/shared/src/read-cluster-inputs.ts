import { ActionInputError } from './action-input-error.js';
import { choiceInput, type GetInput, optionalInput } from './input-readers.js';

/** Secret file contents that override what an `etcd-dr.yaml` points at. */
export interface ClusterSecretInputs {
  /** Content of the admin cluster's kubeconfig. */
  adminKubeconfig?: string;
  /** Content of the user cluster's kubeconfig. */
  userKubeconfig?: string;
  /** Content of the SSH private key used for every node (control-plane nodes, jump host). */
  sshPrivateKey?: string;
}

/** How the target cluster is described: an `etcd-dr.yaml` (with optional secret overrides), or secrets alone. */
export type ClusterInputs =
  | ({ kind: 'config'; configPath: string } & ClusterSecretInputs)
  | ({
      kind: 'secrets';
      clusterName: string;
      topology: 'auto' | 'kubeception' | 'controlplane-v2';
      adminKubeconfig: string;
      userKubeconfig: string;
    } & ClusterSecretInputs)
  | { kind: 'none' };

/** The inputs {@link readClusterInputs} reads, for contradiction messages elsewhere. */
export const clusterInputNames = [
  'config',
  'admin-kubeconfig',
  'user-kubeconfig',
  'ssh-private-key',
  'cluster-name',
  'topology',
] as const;

/**
 * Pure: reads `config` (path of an etcd-dr.yaml), `admin-kubeconfig`, `user-kubeconfig`, `ssh-private-key`
 * (secret contents), `cluster-name` and `topology` (only without `config`). `kind: 'none'` when none is set.
 * @throws ActionInputError naming the missing or contradictory input.
 */
export function readClusterInputs(getInput: GetInput): ClusterInputs {
  const configPath = optionalInput(getInput, 'config');
  const secrets: ClusterSecretInputs = {};
  const admin = optionalInput(getInput, 'admin-kubeconfig');
  const user = optionalInput(getInput, 'user-kubeconfig');
  const sshKey = optionalInput(getInput, 'ssh-private-key');
  if (admin) secrets.adminKubeconfig = `${admin}\n`;
  if (user) secrets.userKubeconfig = `${user}\n`;
  if (sshKey) secrets.sshPrivateKey = `${sshKey}\n`;
  const clusterName = optionalInput(getInput, 'cluster-name');
  const topology = choiceInput(getInput, 'topology', ['auto', 'kubeception', 'controlplane-v2'] as const);

  if (configPath) {
    for (const [input, value] of [
      ['cluster-name', clusterName],
      ['topology', topology],
    ] as const) {
      if (value !== undefined) {
        throw new ActionInputError({
          input,
          problem: 'is set together with config, which already describes the cluster',
          remedy: `remove ${input}, or remove config and describe the cluster with cluster-name, admin-kubeconfig and user-kubeconfig`,
        });
      }
    }
    return { kind: 'config', configPath, ...secrets };
  }
  if (
    !clusterName &&
    !secrets.adminKubeconfig &&
    !secrets.userKubeconfig &&
    !secrets.sshPrivateKey &&
    !topology
  ) {
    return { kind: 'none' };
  }
  const missing = (
    [
      ['cluster-name', clusterName, 'the user cluster name (its namespace in the admin cluster)'],
      ['admin-kubeconfig', secrets.adminKubeconfig, 'the admin cluster kubeconfig from a secret'],
      ['user-kubeconfig', secrets.userKubeconfig, 'the user cluster kubeconfig from a secret'],
    ] as const
  ).find(([, value]) => value === undefined);
  if (missing) {
    throw new ActionInputError({
      input: missing[0],
      problem: 'is required when config is not set',
      remedy: `set ${missing[0]} to ${missing[2]}, or set config to the path of an etcd-dr.yaml`,
    });
  }
  return {
    kind: 'secrets',
    clusterName: clusterName!,
    topology: topology ?? 'auto',
    ...secrets,
    adminKubeconfig: secrets.adminKubeconfig!,
    userKubeconfig: secrets.userKubeconfig!,
  };
}
