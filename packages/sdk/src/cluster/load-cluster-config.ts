import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { type ClusterConfig, clusterConfigSchema, type SshNode } from './cluster-config.js';
import { ConfigError } from './config-error.js';

/** Options of {@link loadClusterConfig}. */
export interface LoadClusterConfigOptions {
  /** Path of `etcd-dr.yaml`. Relative paths inside it are resolved against its folder. */
  path: string;
}

/**
 * Reads and validates `etcd-dr.yaml`; every file path in the result is absolute.
 * @throws ConfigError `CONFIG_NOT_FOUND`, `CONFIG_NOT_YAML` or `CONFIG_INVALID` (naming the field).
 */
export async function loadClusterConfig(options: LoadClusterConfigOptions): Promise<ClusterConfig> {
  let text: string;
  try {
    text = await readFile(options.path, 'utf8');
  } catch (error) {
    throw new ConfigError({
      code: 'CONFIG_NOT_FOUND',
      message: `cannot read cluster config ${options.path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      remedy: 'pass --config with the path of an etcd-dr.yaml (the sandbox writes one in its --dir)',
      path: options.path,
      cause: error,
    });
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new ConfigError({
      code: 'CONFIG_NOT_YAML',
      message: `${options.path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
      remedy: 'fix the YAML syntax at the line named',
      path: options.path,
      cause: error,
    });
  }
  const parsed = clusterConfigSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || '(top level)';
    throw new ConfigError({
      code: 'CONFIG_INVALID',
      message: `${options.path}: field ${field}: ${issue.message}`,
      remedy: 'correct that field; see the README section "Describing a cluster"',
      path: options.path,
    });
  }
  return resolvePaths(parsed.data, dirname(options.path));
}

function resolvePaths(config: ClusterConfig, base: string): ClusterConfig {
  const at = (path: string) => (isAbsolute(path) ? path : resolve(base, path));
  const node = (value: SshNode): SshNode => ({ ...value, identityFile: at(value.identityFile) });
  return {
    ...config,
    adminCluster: {
      ...config.adminCluster,
      kubeconfig: at(config.adminCluster.kubeconfig),
      ...(config.adminCluster.controlPlaneNode
        ? { controlPlaneNode: node(config.adminCluster.controlPlaneNode) }
        : {}),
    },
    userCluster: {
      ...config.userCluster,
      kubeconfig: at(config.userCluster.kubeconfig),
      controlPlaneNodes: config.userCluster.controlPlaneNodes.map(node),
    },
    ...(config.jumpHost ? { jumpHost: node(config.jumpHost) } : {}),
  };
}
