import { isAbsolute, resolve } from 'node:path';
import { type ClusterConfig, ConfigError, loadClusterConfig } from '@etcd-dr/sdk';
import { ActionInputError } from './action-input-error.js';
import { createSecretDirectory } from './create-secret-directory.js';
import { maskSecret } from './mask-secret.js';
import type { ClusterInputs } from './read-cluster-inputs.js';

/** Options of {@link prepareClusterConfig}. */
export interface PrepareClusterConfigOptions {
  inputs: Exclude<ClusterInputs, { kind: 'none' }>;
  /** Where a private folder (0700) for the secret files is made; `RUNNER_TEMP` on a runner. */
  temporaryDirectory: string;
  /** Resolves a relative `config` path; the runner's working directory is the workspace. */
  workingDirectory: string;
  /** `core.setSecret`: every secret is masked before anything is written or logged. */
  setSecret: (secret: string) => void;
}

/** A cluster description ready for the SDK. `remove` deletes the secret files; call it when done. */
export interface PreparedClusterConfig {
  config: ClusterConfig;
  /** An `etcd-dr.yaml` (JSON, which is YAML) with absolute paths, for APIs that take a path. */
  configPath: string;
  /** The private folder holding the secret files and `configPath`. */
  directory: string;
  remove(): Promise<void>;
}

/**
 * Writes the secret inputs to files of mode 0600 in a new 0700 folder (masked first), applies them over the
 * `config` file's paths (or builds the description from them), validates the result with `loadClusterConfig`
 * and writes it as `etcd-dr.yaml` in the same folder. On failure nothing is left behind.
 * @throws ActionInputError when `config` cannot be read or is invalid (naming the field).
 */
export async function prepareClusterConfig(
  options: PrepareClusterConfigOptions,
): Promise<PreparedClusterConfig> {
  const { inputs } = options;
  for (const secret of [inputs.adminKubeconfig, inputs.userKubeconfig, inputs.sshPrivateKey]) {
    if (secret) maskSecret({ value: secret, setSecret: options.setSecret });
  }
  const secrets = await createSecretDirectory({
    temporaryDirectory: options.temporaryDirectory,
    prefix: 'etcd-dr-cluster-',
  });
  try {
    const secretFile = (name: string, content: string | undefined) =>
      content === undefined ? Promise.resolve(undefined) : secrets.write(name, content);
    const adminKubeconfig = await secretFile('admin.kubeconfig', inputs.adminKubeconfig);
    const userKubeconfig = await secretFile('user.kubeconfig', inputs.userKubeconfig);
    const identityFile = await secretFile('ssh-identity', inputs.sshPrivateKey);

    let base: ClusterConfig;
    if (inputs.kind === 'config') {
      const path = isAbsolute(inputs.configPath)
        ? inputs.configPath
        : resolve(options.workingDirectory, inputs.configPath);
      base = await loadClusterConfig({ path }).catch((error: unknown) => {
        if (!ConfigError.isInstance(error)) throw error;
        throw new ActionInputError({
          input: 'config',
          problem: error.message,
          remedy:
            error.code === 'CONFIG_NOT_FOUND'
              ? 'set config to the path of an etcd-dr.yaml in the workspace (check out the repository first)'
              : 'fix that field; see the README section "Describing a cluster"',
        });
      });
    } else {
      base = {
        apiVersion: 'etcd-dr/v1',
        kind: 'ClusterConfig',
        adminCluster: { kubeconfig: adminKubeconfig! },
        userCluster: {
          name: inputs.clusterName,
          kubeconfig: userKubeconfig!,
          topology: inputs.topology,
          controlPlaneNodes: [],
        },
      };
    }
    const withIdentity = <Node extends { identityFile: string }>(node: Node): Node =>
      identityFile ? { ...node, identityFile } : node;
    const merged: ClusterConfig = {
      ...base,
      adminCluster: {
        ...base.adminCluster,
        kubeconfig: adminKubeconfig ?? base.adminCluster.kubeconfig,
        ...(base.adminCluster.controlPlaneNode
          ? { controlPlaneNode: withIdentity(base.adminCluster.controlPlaneNode) }
          : {}),
      },
      userCluster: {
        ...base.userCluster,
        kubeconfig: userKubeconfig ?? base.userCluster.kubeconfig,
        controlPlaneNodes: base.userCluster.controlPlaneNodes.map(withIdentity),
      },
      ...(base.jumpHost ? { jumpHost: withIdentity(base.jumpHost) } : {}),
    };
    const configPath = await secrets.write('etcd-dr.yaml', `${JSON.stringify(merged, null, 2)}\n`);
    const config = await loadClusterConfig({ path: configPath }).catch((error: unknown) => {
      if (!ConfigError.isInstance(error)) throw error;
      const field = /field (\S+):/.exec(error.message)?.[1] ?? '';
      throw new ActionInputError({
        input: field.startsWith('userCluster.name') ? 'cluster-name' : 'config',
        problem: error.message.replace(`${configPath}: `, ''),
        remedy: 'correct that value',
      });
    });
    return { config, configPath, directory: secrets.path, remove: secrets.remove };
  } catch (error) {
    await secrets.remove();
    throw error;
  }
}
